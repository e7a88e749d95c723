"""FTPS: the feed client against a real pyftpdlib TLS server with a self-signed certificate."""

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tenants.platform.feed_access import FeedAccessError, FeedSettings, open_feed


def _self_signed(directory: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    pem = directory / "server.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return pem


@pytest.fixture
def ftps_server(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import TLS_FTPHandler
    from pyftpdlib.servers import FTPServer

    root = tmp_path / "ftps"
    (root / "AccountStatus").mkdir(parents=True)
    (root / "AccountStatus" / "AccountStatus_ACME_20261021150000.csv").write_bytes(b"ICCID;IMSI\n")
    cert = _self_signed(tmp_path)
    authorizer = DummyAuthorizer()
    authorizer.add_user("acme", "ftps-pass-123", str(root), perm="elr")
    handler = type(
        "Handler",
        (TLS_FTPHandler,),
        {
            "authorizer": authorizer,
            "certfile": str(cert),
            "tls_control_required": True,
            "tls_data_required": True,
        },
    )
    server = FTPServer(("127.0.0.1", 0), handler)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.socket.getsockname()[1], root, cert
    stop.set()
    thread.join(5)


def _settings(port: int) -> FeedSettings:
    return FeedSettings(
        protocol="ftps", host="127.0.0.1", port=port, username="acme", password="ftps-pass-123"
    )


def test_ftps_client_lists_and_reads_over_tls(ftps_server):
    port, _root, cert = ftps_server
    context = ssl.create_default_context(cafile=str(cert))
    with open_feed(_settings(port), tls_context=context) as client:
        assert [entry.name for entry in client.list("AccountStatus")] == [
            "AccountStatus_ACME_20261021150000.csv"
        ]
        assert client.fetch("AccountStatus/AccountStatus_ACME_20261021150000.csv") == b"ICCID;IMSI\n"


def test_ftps_server_with_an_untrusted_certificate_is_refused_clearly(ftps_server):
    port, _root, _cert = ftps_server
    with pytest.raises(FeedAccessError) as error, open_feed(_settings(port)):
        pass
    assert "TLS" in str(error.value) and "ftps-pass-123" not in str(error.value)
