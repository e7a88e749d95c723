"""Fixtures of the platform-admin tests: an operator, and real FTP and SFTP servers in-process."""

import os
import posixpath
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
import pytest

# A valid French company: SIREN 732829320, its SIRET, VAT number, a bank account and an ICS.
VALID_IDENTITY = {
    "legal_name": "Zebra Télécom SAS",
    "address_line1": "12 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "siret": "732 829 320 00074",
    "vat_number": "FR44732829320",
    "share_capital": "50000",
    "rcs_city": "Paris",
    "operator_name": "Zebra Mobile",
    "accounting_email": "compta@zebra.example",
    "technical_email": "tech@zebra.example",
    "technical_contact_name": "Luc Moreau",
    "invoice_from_email": "factures@zebra.example",
    "sepa_creditor_id": "FR72ZZZ123456",
    "creditor_iban": "FR14 2004 1010 0505 0001 3M02 606",
    "creditor_bic": "PSSTFRPP",
}
# The same identifiers with one digit changed, and a word the message must contain.
ONE_DIGIT_WRONG = [
    ("siret", "732 829 320 00075", "SIRET"),
    ("vat_number", "FR45732829320", "TVA"),
    ("creditor_iban", "FR14 2004 1010 0505 0001 3M02 607", "IBAN"),
    ("sepa_creditor_id", "FR73ZZZ123456", "ICS"),
]


@pytest.fixture
def operator(platform: Any, make_user: Callable[..., Any]) -> Any:
    return make_user(platform, "platform_admin", username="olivier")


@pytest.fixture
def operator_client(platform: Any, operator: Any, client_for: Callable[..., Any]) -> Any:
    return client_for(platform, operator)


@pytest.fixture
def operator_api(platform: Any, operator: Any, api_for: Callable[..., Any]) -> Any:
    return api_for(platform, operator)


def make_feed_tree(root: Path, folders: list[str]) -> None:
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "AccountStatus" / "AccountStatus_ACME_20261021150000.csv").write_text("ICCID;IMSI\n")


@dataclass
class FeedServer:
    host: str
    port: int
    username: str
    password: str
    root: Path
    client_key_pem: str = ""


# --- FTP (pyftpdlib) ---------------------------------------------------------------------------
@pytest.fixture
def ftp_server(tmp_path: Path) -> Iterator[FeedServer]:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer

    root = tmp_path / "ftp"
    root.mkdir()
    authorizer = DummyAuthorizer()
    authorizer.add_user("acme", "ftp-pass-123", str(root), perm="elr")
    handler = type("Handler", (FTPHandler,), {"authorizer": authorizer, "auth_failed_timeout": 0})
    server = FTPServer(("127.0.0.1", 0), handler)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield FeedServer("127.0.0.1", server.socket.getsockname()[1], "acme", "ftp-pass-123", root)
    stop.set()
    thread.join(5)


# --- SFTP (paramiko server) --------------------------------------------------------------------
class _SSHServer(paramiko.ServerInterface):
    def __init__(self, username: str, password: str, client_key: paramiko.PKey):
        self.username, self.password, self.client_key = username, password, client_key

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == self.username and password == self.password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        ok = username == self.username and key.asbytes() == self.client_key.asbytes()
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return (
            paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        )


class _SFTPFolder(paramiko.SFTPServerInterface):
    """Serves a local folder read-only, `/` being the folder."""

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
            handle = paramiko.SFTPHandle(flags)
            handle.readfile = open(self._real(path), "rb")  # noqa: SIM115
            return handle
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)


@pytest.fixture
def sftp_server(tmp_path: Path) -> Iterator[FeedServer]:
    from io import StringIO

    root = tmp_path / "sftp"
    root.mkdir()
    host_key = paramiko.ECDSAKey.generate()
    client_key = paramiko.ECDSAKey.generate()
    pem = StringIO()
    client_key.write_private_key(pem)
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
            transport.start_server(server=_SSHServer("acme", "sftp-pass-123", client_key))
            transports.append(transport)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield FeedServer(
        "127.0.0.1", listener.getsockname()[1], "acme", "sftp-pass-123", root, client_key_pem=pem.getvalue()
    )
    stop.set()
    thread.join(5)
    listener.close()
    for transport in transports:
        transport.close()
