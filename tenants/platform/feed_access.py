"""Connecting to a tenant's feed (the operator's drop box): FTP, FTPS, SFTP or a local folder.

`open_feed(...)` gives a `FeedClient` that lists folders and reads files, whatever the protocol;
the CDR import reuses it to fetch files. Every failure is a `FeedAccessError` whose message says
what went wrong (unreachable host, refused login, missing folder…), never the secret.
"""

import base64
import ftplib
import hashlib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import Protocol

import paramiko
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from tenants.models import TenantKind

DEFAULT_TIMEOUT = 15.0
DEFAULT_PORTS = {"ftp": 21, "ftps": 21, "sftp": 22}


class FeedAccessError(ApplicationError):
    """The feed could not be reached or read; the message says why."""


@dataclass(frozen=True)
class FeedEntry:
    name: str
    is_dir: bool
    size: int | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class FeedSettings:
    """What it takes to connect (the secret in clear, only in memory, only here)."""

    protocol: str
    host: str = ""
    port: int | None = None
    username: str = ""
    password: str = field(default="", repr=False)
    private_key: str = field(default="", repr=False)
    root_path: str = ""
    host_key: str = ""  # SFTP: the expected server key fingerprint, if known
    timeout: float = DEFAULT_TIMEOUT


class FeedClient(Protocol):
    """A connected feed. Paths are relative to the feed's root path, with `/` separators."""

    host_key: str

    def list_dir(self, path: str = "") -> list[FeedEntry]: ...

    def read_file(self, path: str) -> bytes: ...

    def close(self) -> None: ...


def _join(root: str, path: str) -> str:
    root = root or ""
    path = path.strip("/")
    if not path:
        return root or "."
    return str(PurePosixPath(root) / path) if root else path


def _network_error(exc: BaseException, settings: FeedSettings) -> FeedAccessError:
    where = f"{settings.host}:{settings.port or DEFAULT_PORTS.get(settings.protocol, '')}"
    if isinstance(exc, socket.gaierror):
        return FeedAccessError(_("The host %(host)s is unknown (DNS).") % {"host": settings.host})
    if isinstance(exc, ConnectionRefusedError):
        return FeedAccessError(_("%(where)s refused the connection (is the port right?).") % {"where": where})
    if isinstance(exc, TimeoutError | socket.timeout):
        return FeedAccessError(
            _("%(where)s did not answer within %(seconds)s seconds (unreachable or filtered).")
            % {"where": where, "seconds": int(settings.timeout)}
        )
    if isinstance(exc, ssl.SSLError):
        return FeedAccessError(
            _("The TLS negotiation with %(where)s failed: %(error)s") % {"where": where, "error": exc}
        )
    return FeedAccessError(_("Cannot reach %(where)s: %(error)s") % {"where": where, "error": exc})


# --- Local folder ------------------------------------------------------------------------------
class LocalFeedClient:
    """A folder on this server (a mounted share, or the demo's)."""

    host_key = ""

    def __init__(self, settings: FeedSettings):
        self.root = Path(settings.root_path or "").expanduser()
        if not settings.root_path or not self.root.is_dir():
            raise FeedAccessError(
                _("The folder %(path)s does not exist on this server.") % {"path": settings.root_path or "—"}
            )

    def _path(self, path: str) -> Path:
        target = (self.root / path.strip("/")).resolve()
        if target != self.root.resolve() and self.root.resolve() not in target.parents:
            raise FeedAccessError(_("The path %(path)s leaves the feed's folder.") % {"path": path})
        return target

    def list_dir(self, path: str = "") -> list[FeedEntry]:
        folder = self._path(path)
        if not folder.is_dir():
            raise FeedAccessError(_("The folder %(path)s does not exist.") % {"path": path or "/"})
        entries = []
        for child in sorted(folder.iterdir()):
            stat = child.stat()
            entries.append(
                FeedEntry(
                    child.name,
                    child.is_dir(),
                    None if child.is_dir() else stat.st_size,
                    datetime.fromtimestamp(stat.st_mtime, tz=UTC),
                )
            )
        return entries

    def read_file(self, path: str) -> bytes:
        target = self._path(path)
        if not target.is_file():
            raise FeedAccessError(_("The file %(path)s does not exist.") % {"path": path})
        return target.read_bytes()

    def close(self) -> None:
        pass


# --- FTP and FTPS ------------------------------------------------------------------------------
class FtpFeedClient:
    host_key = ""

    def __init__(
        self, settings: FeedSettings, *, tls: bool = False, tls_context: ssl.SSLContext | None = None
    ):
        self.settings = settings
        port = settings.port or DEFAULT_PORTS["ftp"]
        # Plain FTP is what some operators offer; FTPS or SFTP is preferred when they can.
        ftp: ftplib.FTP
        if tls:
            ftp = ftplib.FTP_TLS(context=tls_context or ssl.create_default_context())  # noqa: S321
        else:
            ftp = ftplib.FTP()  # noqa: S321
        ftp.encoding = "utf-8"
        try:
            ftp.connect(settings.host, port, timeout=settings.timeout)
            ftp.login(settings.username, settings.password)
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()
        except ftplib.error_perm as exc:
            ftp.close()
            if str(exc).startswith("530"):
                raise FeedAccessError(
                    _("The FTP server refused the login %(user)s: wrong login or password.")
                    % {"user": settings.username}
                ) from None
            raise FeedAccessError(_("The FTP server refused: %(error)s") % {"error": exc}) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            ftp.close()
            raise _network_error(exc, settings) from None
        self.ftp = ftp

    def list_dir(self, path: str = "") -> list[FeedEntry]:
        target = _join(self.settings.root_path, path)
        try:
            entries = []
            for name, facts in self.ftp.mlsd(target, facts=["type", "size", "modify"]):
                kind = facts.get("type", "")
                if kind in ("cdir", "pdir") or name in (".", ".."):
                    continue
                modified = None
                if facts.get("modify"):
                    modified = datetime.strptime(facts["modify"][:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
                size = int(facts["size"]) if facts.get("size") else None
                entries.append(FeedEntry(name, kind == "dir", None if kind == "dir" else size, modified))
            return sorted(entries, key=lambda e: e.name)
        except ftplib.error_perm as exc:
            raise FeedAccessError(
                _("The folder %(path)s cannot be listed: %(error)s") % {"path": path or "/", "error": exc}
            ) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            raise _network_error(exc, self.settings) from None

    def read_file(self, path: str) -> bytes:
        buffer = BytesIO()
        try:
            self.ftp.retrbinary(f"RETR {_join(self.settings.root_path, path)}", buffer.write)
        except ftplib.error_perm as exc:
            raise FeedAccessError(
                _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
            ) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            raise _network_error(exc, self.settings) from None
        return buffer.getvalue()

    def close(self) -> None:
        try:
            self.ftp.quit()
        except (OSError, EOFError, ftplib.Error):
            self.ftp.close()


# --- SFTP --------------------------------------------------------------------------------------
def key_fingerprint(key: paramiko.PKey) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _load_private_key(text: str) -> paramiko.PKey:
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(StringIO(text.strip() + "\n"))
        except (paramiko.SSHException, ValueError, TypeError):
            continue
    raise FeedAccessError(_("The private key cannot be read (expected an unencrypted OpenSSH or PEM key)."))


class SftpFeedClient:
    def __init__(self, settings: FeedSettings):
        self.settings = settings
        port = settings.port or DEFAULT_PORTS["sftp"]
        try:
            sock = socket.create_connection((settings.host, port), timeout=settings.timeout)
        except OSError as exc:
            raise _network_error(exc, settings) from None
        transport = paramiko.Transport(sock)
        transport.banner_timeout = settings.timeout
        transport.auth_timeout = settings.timeout
        try:
            transport.start_client(timeout=settings.timeout)
            self.host_key = key_fingerprint(transport.get_remote_server_key())
            if settings.host_key and settings.host_key != self.host_key:
                raise FeedAccessError(
                    _(
                        "The server's key changed (expected %(expected)s, got %(got)s): refused, in case "
                        "someone impersonates it. Clear the recorded key if the change is expected."
                    )
                    % {"expected": settings.host_key, "got": self.host_key}
                )
            if settings.private_key:
                transport.auth_publickey(settings.username, _load_private_key(settings.private_key))
            else:
                transport.auth_password(settings.username, settings.password)
            sftp = paramiko.SFTPClient.from_transport(transport)
            if sftp is None:
                raise FeedAccessError(_("The server does not offer SFTP."))
            channel = sftp.get_channel()
            if channel is not None:
                channel.settimeout(settings.timeout)
            self.sftp: paramiko.SFTPClient = sftp
        except paramiko.AuthenticationException:
            transport.close()
            raise FeedAccessError(
                _("The SFTP server refused the login %(user)s: wrong login, password or key.")
                % {"user": settings.username}
            ) from None
        except FeedAccessError:
            transport.close()
            raise
        except (paramiko.SSHException, OSError, EOFError) as exc:
            transport.close()
            raise _network_error(exc, settings) from None
        self.transport = transport

    def list_dir(self, path: str = "") -> list[FeedEntry]:
        import stat as stat_module

        target = _join(self.settings.root_path, path)
        try:
            attributes = self.sftp.listdir_attr(target)
        except FileNotFoundError:
            raise FeedAccessError(_("The folder %(path)s does not exist.") % {"path": path or "/"}) from None
        except (OSError, paramiko.SSHException) as exc:
            raise FeedAccessError(
                _("The folder %(path)s cannot be listed: %(error)s") % {"path": path or "/", "error": exc}
            ) from None
        entries = []
        for attr in attributes:
            is_dir = stat_module.S_ISDIR(attr.st_mode or 0)
            modified = datetime.fromtimestamp(attr.st_mtime, tz=UTC) if attr.st_mtime else None
            entries.append(FeedEntry(attr.filename, is_dir, None if is_dir else attr.st_size, modified))
        return sorted(entries, key=lambda e: e.name)

    def read_file(self, path: str) -> bytes:
        try:
            with self.sftp.open(_join(self.settings.root_path, path), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise FeedAccessError(_("The file %(path)s does not exist.") % {"path": path}) from None
        except (OSError, paramiko.SSHException) as exc:
            raise FeedAccessError(
                _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
            ) from None

    def close(self) -> None:
        self.sftp.close()
        self.transport.close()


@contextmanager
def open_feed(settings: FeedSettings, *, tls_context: ssl.SSLContext | None = None) -> Iterator[FeedClient]:
    """A connected client for `settings`, closed at the end of the block."""
    if settings.protocol in ("ftp", "ftps", "sftp") and not settings.host:
        raise FeedAccessError(_("The host is missing."))
    client: FeedClient
    if settings.protocol == "local":
        client = LocalFeedClient(settings)
    elif settings.protocol == "ftp":
        client = FtpFeedClient(settings)
    elif settings.protocol == "ftps":
        client = FtpFeedClient(settings, tls=True, tls_context=tls_context)
    elif settings.protocol == "sftp":
        client = SftpFeedClient(settings)
    else:
        raise FeedAccessError(_("Unknown protocol %(protocol)s.") % {"protocol": settings.protocol})
    try:
        yield client
    finally:
        client.close()


# --- What a feed should contain (shared/FORMATS.md) --------------------------------------------
def expected_folders(kind: str) -> list[str]:
    """The folders the operator's feed holds for a tenant of this kind."""
    vno = kind == TenantKind.VNO
    folders = ["AccountStatus"]
    if vno:
        folders += ["Account_VGA", "RatedCDRs/MOBILE", "RatedCDRs/VGA", "BilledCDRs/MOBILE", "BilledCDRs/VGA"]
    else:
        folders += ["RatedCDRs", "BilledCDRs"]
    folders += ["Cartes SIM"]
    if vno:
        folders += ["Tables tarifaires"]
    folders += ["Factures/Intégrateur", "Factures/Clients", "Documents", "Personnalisation", "Commandes"]
    return folders


@dataclass(frozen=True)
class FolderCheck:
    present: list[str]
    missing: list[str]
    host_key: str = ""


def feed_check_folders(client: FeedClient, *, kind: str) -> FolderCheck:
    """Which of the expected folders the feed has, listing each parent once."""
    listings: dict[str, set[str] | None] = {}

    def subfolders(parent: str) -> set[str] | None:
        if parent not in listings:
            try:
                listings[parent] = {entry.name for entry in client.list_dir(parent) if entry.is_dir}
            except FeedAccessError:
                listings[parent] = None
        return listings[parent]

    present: list[str] = []
    missing: list[str] = []
    for folder in expected_folders(kind):
        parts = folder.split("/")
        ok = True
        for depth in range(len(parts)):
            names = subfolders("/".join(parts[:depth]))
            if names is None or parts[depth] not in names:
                ok = False
                break
        (present if ok else missing).append(folder + "/")
    return FolderCheck(present=present, missing=missing, host_key=client.host_key)
