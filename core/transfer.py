"""The one file-transfer path of the project: FTP, FTPS, SFTP or a local folder, behind one client.

`open_transfer(settings)` is a context manager giving a `TransferClient`:

- `list(folder)`: the entries of a folder (name, is_dir, size, modification time), sorted by name;
- `stat(path)`: one entry;
- `fetch(path) -> bytes`, or `fetch_to(path, target)` to stream a big file into a file object;
- `put(path, data)`: upload, atomically where the protocol allows (a temporary name, then a rename).

Paths are relative to the settings' root path, with `/` separators. Every failure is a
`TransferError` whose message says what went wrong (unknown host, refused connection, timeout,
refused login, changed SFTP server key, missing file) and never holds the password or key. This is
the only module that imports `ftplib` and `paramiko`.
"""

import base64
import ftplib
import hashlib
import os
import socket
import ssl
import stat as stat_module
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

import paramiko
from django.utils.translation import gettext as _

from core.errors import ApplicationError

DEFAULT_TIMEOUT = 15.0
DEFAULT_PORTS = {"ftp": 21, "ftps": 21, "sftp": 22}
PROTOCOLS = ("local", "ftp", "ftps", "sftp")
_CHUNK = 64 * 1024


class TransferError(ApplicationError):
    """The server or folder could not be reached, read or written; the message says why."""


@dataclass(frozen=True)
class TransferEntry:
    name: str
    is_dir: bool
    size: int | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class TransferSettings:
    """What it takes to connect (the secret in clear, only in memory, never in a `repr`)."""

    protocol: str
    host: str = ""
    port: int | None = None
    username: str = ""
    password: str = field(default="", repr=False)
    private_key: str = field(default="", repr=False)
    root_path: str = ""
    host_key: str = ""  # SFTP: the expected server key fingerprint, if known
    timeout: float = DEFAULT_TIMEOUT


class TransferClient(Protocol):
    """A connected server or folder. `host_key` is the SFTP server's fingerprint (else empty)."""

    host_key: str

    def list(self, folder: str = "") -> list[TransferEntry]: ...

    def stat(self, path: str) -> TransferEntry: ...

    def fetch(self, path: str) -> bytes: ...

    def fetch_to(self, path: str, target: BinaryIO) -> None: ...

    def put(self, path: str, data: bytes | BinaryIO) -> None: ...

    def close(self) -> None: ...


def _join(root: str, path: str) -> str:
    path = path.strip("/")
    if not path:
        return root or "."
    return str(PurePosixPath(root) / path) if root else path


def _temporary_name(path: str) -> str:
    """A hidden sibling of `path`, so a reader polling the folder never sees a half-written file."""
    parent, _sep, name = path.strip("/").rpartition("/")
    temporary = f".{name}.{uuid.uuid4().hex[:8]}.part"
    return f"{parent}/{temporary}" if parent else temporary


def _stream(data: bytes | BinaryIO) -> BinaryIO:
    return BytesIO(data) if isinstance(data, bytes | bytearray) else data


def _network_error(exc: BaseException, settings: TransferSettings) -> TransferError:
    where = f"{settings.host}:{settings.port or DEFAULT_PORTS.get(settings.protocol, '')}"
    if isinstance(exc, socket.gaierror):
        return TransferError(_("The host %(host)s is unknown (DNS).") % {"host": settings.host})
    if isinstance(exc, ConnectionRefusedError):
        return TransferError(_("%(where)s refused the connection (is the port right?).") % {"where": where})
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransferError(
            _("%(where)s did not answer within %(seconds)s seconds (unreachable or filtered).")
            % {"where": where, "seconds": int(settings.timeout)}
        )
    if isinstance(exc, ssl.SSLError):
        return TransferError(
            _("The TLS negotiation with %(where)s failed: %(error)s") % {"where": where, "error": exc}
        )
    return TransferError(_("Cannot reach %(where)s: %(error)s") % {"where": where, "error": exc})


def _without_secrets(error: TransferError, settings: TransferSettings) -> TransferError:
    """Belt and braces: a server's own words could echo what we sent; never show the secret."""
    message = error.message
    for secret in (settings.password, settings.private_key):
        if secret and secret in message:
            message = message.replace(secret, "••••")
    if message == error.message:
        return error
    return TransferError(message, field=error.field, extra=error.extra)


# --- Local folder ------------------------------------------------------------------------------
class LocalTransferClient:
    """A folder on this server (a mounted share, or the demo's)."""

    host_key = ""

    def __init__(self, settings: TransferSettings):
        self.root = Path(settings.root_path or "").expanduser().resolve()
        if not settings.root_path or not self.root.is_dir():
            raise TransferError(
                _("The folder %(path)s does not exist on this server.") % {"path": settings.root_path or "—"}
            )

    def _path(self, path: str) -> Path:
        target = (self.root / path.strip("/")).resolve()
        if target != self.root and self.root not in target.parents:
            raise TransferError(_("The path %(path)s leaves the feed's folder.") % {"path": path})
        return target

    @staticmethod
    def _entry(path: Path) -> TransferEntry:
        info = path.stat()
        is_dir = path.is_dir()
        return TransferEntry(
            path.name, is_dir, None if is_dir else info.st_size, datetime.fromtimestamp(info.st_mtime, tz=UTC)
        )

    def list(self, folder: str = "") -> list[TransferEntry]:
        target = self._path(folder)
        if not target.is_dir():
            raise TransferError(_("The folder %(path)s does not exist.") % {"path": folder or "/"})
        return [self._entry(child) for child in sorted(target.iterdir())]

    def stat(self, path: str) -> TransferEntry:
        target = self._path(path)
        if not target.exists():
            raise TransferError(_("The file %(path)s does not exist.") % {"path": path})
        return self._entry(target)

    def _file(self, path: str) -> Path:
        target = self._path(path)
        if not target.is_file():
            raise TransferError(_("The file %(path)s does not exist.") % {"path": path})
        return target

    def fetch(self, path: str) -> bytes:
        return self._file(path).read_bytes()

    def fetch_to(self, path: str, target: BinaryIO) -> None:
        with self._file(path).open("rb") as source:
            while chunk := source.read(_CHUNK):
                target.write(chunk)

    def put(self, path: str, data: bytes | BinaryIO) -> None:
        target = self._path(path)
        if not target.parent.is_dir():
            raise TransferError(
                _("The folder %(path)s does not exist.") % {"path": str(PurePosixPath(path).parent)}
            )
        temporary = self._path(_temporary_name(path))
        source = _stream(data)
        try:
            with temporary.open("wb") as handle:
                while chunk := source.read(_CHUNK):
                    handle.write(chunk)
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise TransferError(
                _("The file %(path)s cannot be written: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None

    def close(self) -> None:
        pass


# --- FTP and FTPS ------------------------------------------------------------------------------
class FtpTransferClient:
    host_key = ""

    def __init__(
        self, settings: TransferSettings, *, tls: bool = False, tls_context: ssl.SSLContext | None = None
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
                raise TransferError(
                    _("The FTP server refused the login %(user)s: wrong login or password.")
                    % {"user": settings.username}
                ) from None
            raise TransferError(_("The FTP server refused: %(error)s") % {"error": exc}) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            ftp.close()
            raise _network_error(exc, settings) from None
        self.ftp = ftp

    def _entries(self, target: str) -> Iterator[TransferEntry]:
        for name, facts in self.ftp.mlsd(target, facts=["type", "size", "modify"]):
            kind = facts.get("type", "")
            if kind in ("cdir", "pdir") or name in (".", ".."):
                continue
            modified = None
            if facts.get("modify"):
                modified = datetime.strptime(facts["modify"][:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            size = int(facts["size"]) if facts.get("size") else None
            yield TransferEntry(name, kind == "dir", None if kind == "dir" else size, modified)

    def list(self, folder: str = "") -> list[TransferEntry]:
        try:
            return sorted(self._entries(_join(self.settings.root_path, folder)), key=lambda e: e.name)
        except ftplib.error_perm as exc:
            raise TransferError(
                _("The folder %(path)s cannot be listed: %(error)s") % {"path": folder or "/", "error": exc}
            ) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            raise _network_error(exc, self.settings) from None

    def stat(self, path: str) -> TransferEntry:
        # MLSD of the parent folder: MLST and SIZE/MDTM are not offered by every server.
        parent, _sep, name = path.strip("/").rpartition("/")
        try:
            for entry in self._entries(_join(self.settings.root_path, parent)):
                if entry.name == name:
                    return entry
        except ftplib.error_perm:
            pass
        except (OSError, EOFError, ftplib.Error) as exc:
            raise _network_error(exc, self.settings) from None
        raise TransferError(_("The file %(path)s does not exist.") % {"path": path})

    def fetch(self, path: str) -> bytes:
        buffer = BytesIO()
        self.fetch_to(path, buffer)
        return buffer.getvalue()

    def fetch_to(self, path: str, target: BinaryIO) -> None:
        try:
            self.ftp.retrbinary(f"RETR {_join(self.settings.root_path, path)}", target.write, _CHUNK)
        except ftplib.error_perm as exc:
            raise TransferError(
                _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
            ) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            raise _network_error(exc, self.settings) from None

    def put(self, path: str, data: bytes | BinaryIO) -> None:
        target = _join(self.settings.root_path, path)
        temporary = _join(self.settings.root_path, _temporary_name(path))
        try:
            self.ftp.storbinary(f"STOR {temporary}", _stream(data), _CHUNK)
            self.ftp.rename(temporary, target)
        except ftplib.error_perm as exc:
            with suppress(OSError, EOFError, ftplib.Error):
                self.ftp.delete(temporary)
            raise TransferError(
                _("The file %(path)s cannot be written: %(error)s") % {"path": path, "error": exc}
            ) from None
        except (OSError, EOFError, ftplib.Error) as exc:
            raise _network_error(exc, self.settings) from None

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
    raise TransferError(_("The private key cannot be read (expected an unencrypted OpenSSH or PEM key)."))


class SftpTransferClient:
    def __init__(self, settings: TransferSettings):
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
            # Pinning: once a server's key is known, a different one is refused.
            if settings.host_key and settings.host_key != self.host_key:
                raise TransferError(
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
                raise TransferError(_("The server does not offer SFTP."))
            channel = sftp.get_channel()
            if channel is not None:
                channel.settimeout(settings.timeout)
            self.sftp: paramiko.SFTPClient = sftp
        except paramiko.AuthenticationException:
            transport.close()
            raise TransferError(
                _("The SFTP server refused the login %(user)s: wrong login, password or key.")
                % {"user": settings.username}
            ) from None
        except TransferError:
            transport.close()
            raise
        except (paramiko.SSHException, OSError, EOFError) as exc:
            transport.close()
            raise _network_error(exc, settings) from None
        self.transport = transport

    @staticmethod
    def _entry(name: str, attr: paramiko.SFTPAttributes) -> TransferEntry:
        is_dir = stat_module.S_ISDIR(attr.st_mode or 0)
        modified = datetime.fromtimestamp(attr.st_mtime, tz=UTC) if attr.st_mtime else None
        return TransferEntry(name, is_dir, None if is_dir else attr.st_size, modified)

    def list(self, folder: str = "") -> list[TransferEntry]:
        try:
            attributes = self.sftp.listdir_attr(_join(self.settings.root_path, folder))
        except FileNotFoundError:
            raise TransferError(_("The folder %(path)s does not exist.") % {"path": folder or "/"}) from None
        except (OSError, paramiko.SSHException) as exc:
            raise TransferError(
                _("The folder %(path)s cannot be listed: %(error)s") % {"path": folder or "/", "error": exc}
            ) from None
        return sorted((self._entry(attr.filename, attr) for attr in attributes), key=lambda e: e.name)

    def stat(self, path: str) -> TransferEntry:
        try:
            attr = self.sftp.stat(_join(self.settings.root_path, path))
        except FileNotFoundError:
            raise TransferError(_("The file %(path)s does not exist.") % {"path": path}) from None
        except (OSError, paramiko.SSHException) as exc:
            raise TransferError(
                _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
            ) from None
        return self._entry(PurePosixPath(path).name, attr)

    def fetch(self, path: str) -> bytes:
        buffer = BytesIO()
        self.fetch_to(path, buffer)
        return buffer.getvalue()

    def fetch_to(self, path: str, target: BinaryIO) -> None:
        try:
            with self.sftp.open(_join(self.settings.root_path, path), "rb") as handle:
                while chunk := handle.read(_CHUNK):
                    target.write(chunk)
        except FileNotFoundError:
            raise TransferError(_("The file %(path)s does not exist.") % {"path": path}) from None
        except (OSError, paramiko.SSHException) as exc:
            raise TransferError(
                _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
            ) from None

    def put(self, path: str, data: bytes | BinaryIO) -> None:
        target = _join(self.settings.root_path, path)
        temporary = _join(self.settings.root_path, _temporary_name(path))
        try:
            self.sftp.putfo(_stream(data), temporary, confirm=False)
            try:
                # Replaces an existing file in one step where the server offers it (OpenSSH does).
                self.sftp.posix_rename(temporary, target)
            except OSError:
                # Plain SFTP rename refuses to overwrite: remove the old file first.
                with suppress(FileNotFoundError):
                    self.sftp.remove(target)
                self.sftp.rename(temporary, target)
        except (OSError, paramiko.SSHException) as exc:
            with suppress(OSError, paramiko.SSHException):
                self.sftp.remove(temporary)
            raise TransferError(
                _("The file %(path)s cannot be written: %(error)s") % {"path": path, "error": exc}
            ) from None

    def close(self) -> None:
        self.sftp.close()
        self.transport.close()


def _connect(settings: TransferSettings, tls_context: ssl.SSLContext | None) -> TransferClient:
    if settings.protocol in ("ftp", "ftps", "sftp") and not settings.host:
        raise TransferError(_("The host is missing."))
    if settings.protocol == "local":
        return LocalTransferClient(settings)
    if settings.protocol == "ftp":
        return FtpTransferClient(settings)
    if settings.protocol == "ftps":
        return FtpTransferClient(settings, tls=True, tls_context=tls_context)
    if settings.protocol == "sftp":
        return SftpTransferClient(settings)
    raise TransferError(_("Unknown protocol %(protocol)s.") % {"protocol": settings.protocol})


@contextmanager
def open_transfer(
    settings: TransferSettings, *, tls_context: ssl.SSLContext | None = None
) -> Iterator[TransferClient]:
    """A connected client for `settings`, closed at the end of the block.

    `tls_context` (FTPS) replaces the system's trust store, e.g. to trust one self-signed server.
    """
    try:
        client = _connect(settings, tls_context)
    except TransferError as exc:
        raise _without_secrets(exc, settings) from None
    try:
        yield client
    except TransferError as exc:
        raise _without_secrets(exc, settings) from None
    finally:
        client.close()
