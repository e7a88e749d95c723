"""core.transfer against real servers started in-process: pyftpdlib (FTP, and FTPS with a
self-signed certificate), a paramiko SFTP server, and a local folder."""

import datetime
import ipaddress
import os
import posixpath
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import paramiko
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.transfer import TransferError, TransferSettings, open_transfer

USER = "acme"
PASSWORD = "Secret-pass-4567"
CONTENT = b"ICCID;IMSI\n8933;2080\n"


@dataclass
class Server:
    protocol: str
    port: int
    root: Path
    tls_context: ssl.SSLContext | None = None

    def settings(self, password: str = PASSWORD) -> TransferSettings:
        return TransferSettings(
            protocol=self.protocol,
            host="127.0.0.1",
            port=self.port,
            username=USER,
            password=password,
            timeout=5,
        )


def _feed_tree(root: Path) -> None:
    (root / "AccountStatus").mkdir(parents=True)
    (root / "AccountStatus" / "AccountStatus_ACME.csv").write_bytes(CONTENT)
    (root / "Commandes").mkdir()


# --- FTP and FTPS (pyftpdlib) ------------------------------------------------------------------
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


def _ftp_server(tmp_path: Path, *, tls: bool) -> Iterator[Server]:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.servers import FTPServer

    root = tmp_path / "ftp"
    _feed_tree(root)
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmw")
    attributes: dict[str, Any] = {"authorizer": authorizer, "auth_failed_timeout": 0}
    context = None
    if tls:
        cert = _self_signed(tmp_path)
        attributes |= {"certfile": str(cert), "tls_control_required": True, "tls_data_required": True}
        context = ssl.create_default_context(cafile=str(cert))
    handler = type("Handler", (TLS_FTPHandler if tls else FTPHandler,), attributes)
    server = FTPServer(("127.0.0.1", 0), handler)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield Server("ftps" if tls else "ftp", server.socket.getsockname()[1], root, context)
    stop.set()
    thread.join(5)


# --- SFTP (paramiko) ---------------------------------------------------------------------------
class _SSHServer(paramiko.ServerInterface):
    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == USER and password == PASSWORD
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return (
            paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        )


class _Handle(paramiko.SFTPHandle):
    def stat(self) -> Any:
        return paramiko.SFTPAttributes.from_stat(os.fstat((self.readfile or self.writefile).fileno()))


class _SFTPFolder(paramiko.SFTPServerInterface):
    """Serves a local folder read-write, `/` being the folder."""

    def __init__(self, server: Any, *args: Any, root: str, **kwargs: Any):
        super().__init__(server, *args, **kwargs)
        self.root = root

    def canonicalize(self, path: str) -> str:
        return posixpath.normpath(posixpath.join("/", path))

    def _real(self, path: str) -> str:
        return os.path.join(self.root, self.canonicalize(path).lstrip("/"))

    def list_folder(self, path: str) -> Any:
        real = self._real(path)
        try:
            entries = []
            for name in os.listdir(real):
                attr = paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(real, name)))
                attr.filename = name
                entries.append(attr)
            return entries
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    def stat(self, path: str) -> Any:
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    lstat = stat

    def open(self, path: str, flags: int, attr: Any) -> Any:
        try:
            handle = _Handle(flags)
            if flags & (os.O_WRONLY | os.O_RDWR):
                handle.writefile = open(self._real(path), "wb")  # noqa: SIM115
            else:
                handle.readfile = open(self._real(path), "rb")  # noqa: SIM115
            return handle
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    def rename(self, oldpath: str, newpath: str) -> int:
        if os.path.exists(self._real(newpath)):
            return paramiko.SFTP_FAILURE  # like the SFTP v3 rename: no overwrite
        os.rename(self._real(oldpath), self._real(newpath))
        return paramiko.SFTP_OK

    def remove(self, path: str) -> int:
        try:
            os.remove(self._real(path))
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)
        return paramiko.SFTP_OK


@pytest.fixture
def sftp_server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "sftp"
    _feed_tree(root)
    host_key = paramiko.ECDSAKey.generate()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.1)
    stop = threading.Event()
    transports: list[paramiko.Transport] = []

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _SFTPFolder, root=str(root))
            transport.start_server(server=_SSHServer())
            transports.append(transport)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield Server("sftp", listener.getsockname()[1], root)
    stop.set()
    thread.join(5)
    listener.close()
    for transport in transports:
        transport.close()


@pytest.fixture
def ftp_server(tmp_path: Path) -> Iterator[Server]:
    yield from _ftp_server(tmp_path, tls=False)


@pytest.fixture
def ftps_server(tmp_path: Path) -> Iterator[Server]:
    yield from _ftp_server(tmp_path, tls=True)


@pytest.fixture
def local_folder(tmp_path: Path) -> Server:
    root = tmp_path / "local"
    _feed_tree(root)
    return Server("local", 0, root)


@pytest.fixture(params=["ftp_server", "ftps_server", "sftp_server", "local_folder"])
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue(request.param)


def _open(server: Server, password: str = PASSWORD) -> Any:
    if server.protocol == "local":
        return open_transfer(TransferSettings(protocol="local", root_path=str(server.root)))
    return open_transfer(server.settings(password), tls_context=server.tls_context)


# --- The same behaviour on every protocol ------------------------------------------------------
def test_list_gives_names_sizes_and_modification_times(server):
    with _open(server) as client:
        root = client.list()
        assert [(e.name, e.is_dir) for e in root] == [("AccountStatus", True), ("Commandes", True)]
        [entry] = client.list("AccountStatus")
    assert entry.name == "AccountStatus_ACME.csv" and not entry.is_dir and entry.size == len(CONTENT)
    assert entry.modified is not None and entry.modified.tzinfo is not None
    assert abs((datetime.datetime.now(datetime.UTC) - entry.modified).total_seconds()) < 120


def test_stat_describes_one_file(server):
    with _open(server) as client:
        entry = client.stat("AccountStatus/AccountStatus_ACME.csv")
    assert entry.name == "AccountStatus_ACME.csv" and entry.size == len(CONTENT) and not entry.is_dir


def test_fetch_reads_a_file_whole_or_streamed_into_a_file_object(server):
    with _open(server) as client:
        assert client.fetch("AccountStatus/AccountStatus_ACME.csv") == CONTENT
        target = BytesIO()
        client.fetch_to("AccountStatus/AccountStatus_ACME.csv", target)
    assert target.getvalue() == CONTENT


def test_put_uploads_then_list_shows_the_file_and_no_temporary_one(server):
    big = os.urandom(300_000)
    with _open(server) as client:
        client.put("Commandes/order-1.csv", b"first")
        client.put("Commandes/order-1.csv", BytesIO(big))  # replaces the existing file
        names = [e.name for e in client.list("Commandes")]
        assert client.fetch("Commandes/order-1.csv") == big
    assert names == ["order-1.csv"]
    assert (server.root / "Commandes" / "order-1.csv").read_bytes() == big


def test_a_missing_file_is_a_transfer_error(server):
    with _open(server) as client:
        with pytest.raises(TransferError):
            client.fetch("AccountStatus/nope.csv")
        with pytest.raises(TransferError):
            client.stat("AccountStatus/nope.csv")
        with pytest.raises(TransferError):
            client.list("Nope")


@pytest.mark.parametrize("fixture", ["ftp_server", "ftps_server", "sftp_server"])
def test_a_wrong_password_is_refused_without_showing_it(request, fixture):
    server = request.getfixturevalue(fixture)
    with pytest.raises(TransferError) as error, _open(server, password="Wrong-pass-9876"):
        pass
    message = error.value.message
    assert USER in message and "Wrong-pass-9876" not in message and PASSWORD not in message


def test_an_untrusted_ftps_certificate_is_refused(ftps_server):
    with pytest.raises(TransferError) as error, open_transfer(ftps_server.settings()):
        pass
    assert "TLS" in error.value.message and PASSWORD not in error.value.message


def test_a_changed_sftp_server_key_is_refused(sftp_server):
    with open_transfer(sftp_server.settings()) as client:
        assert client.host_key.startswith("SHA256:")
    settings = TransferSettings(**{**sftp_server.settings().__dict__, "host_key": "SHA256:other"})
    with pytest.raises(TransferError) as error, open_transfer(settings):
        pass
    assert "SHA256:other" in error.value.message


def test_a_local_path_cannot_leave_the_folder(local_folder):
    with _open(local_folder) as client, pytest.raises(TransferError):
        client.fetch("../../etc/passwd")


def test_an_error_echoing_the_password_is_masked(local_folder):
    settings = TransferSettings(protocol="local", root_path=str(local_folder.root), password="Hunter-22")
    with pytest.raises(TransferError) as error, open_transfer(settings) as client:
        client.fetch("Hunter-22.csv")
    assert "Hunter-22" not in error.value.message


def test_the_settings_repr_hides_the_secrets():
    settings = TransferSettings(protocol="sftp", host="h", password=PASSWORD, private_key=PASSWORD)
    assert PASSWORD not in repr(settings)


def test_a_closed_port_and_a_missing_host_are_explained():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = TransferSettings(protocol="sftp", host="127.0.0.1", port=port, password=PASSWORD, timeout=3)
    with pytest.raises(TransferError) as error, open_transfer(settings):
        pass
    assert str(port) in error.value.message and PASSWORD not in error.value.message
    with pytest.raises(TransferError), open_transfer(TransferSettings(protocol="ftp")):
        pass
