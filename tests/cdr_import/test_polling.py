"""Polling the operator's feed against real servers: pyftpdlib (FTP, FTPS) and a paramiko SFTP
server started in-process, as in tests/foundation/test_transfer.py."""

import datetime as dt
import shutil
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from cdr_import.models import FeedFile, FeedFileStatus, FeedFolder, Import, ImportStatus
from cdr_import.selectors import feed_import_settings_get
from cdr_import.services_polling import feed_folder_is_due, feed_folder_poll, feed_folders_ensure
from core.crypto import encrypt_secret
from tenants.models import FeedAccess
from tests.cdr_import.conftest import SAMPLES
from tests.conftest import in_schema
from tests.foundation.test_transfer import PASSWORD, USER, Server, _self_signed, sftp_server  # noqa: F401

NAME = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
T0 = dt.datetime(2026, 10, 21, 8, 5, tzinfo=dt.UTC)  # a Wednesday, 10h05 in Paris


@pytest.fixture
def fail_retr() -> dict[str, int]:
    """How many RETR the FTP servers below answer with a dropped transfer before serving."""
    return {"left": 0}


def _ftp(tmp_path: Path, *, tls: bool, fail_retr: dict[str, int]) -> Iterator[Server]:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.servers import FTPServer

    root = tmp_path / "ftp"
    (root / "RatedCDRs").mkdir(parents=True)
    (root / "Retours").mkdir()
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmw")
    attributes: dict[str, Any] = {"authorizer": authorizer, "auth_failed_timeout": 0}
    context = None
    if tls:
        cert = _self_signed(tmp_path)
        attributes |= {"certfile": str(cert), "tls_control_required": True, "tls_data_required": True}
        context = ssl.create_default_context(cafile=str(cert))
    base = TLS_FTPHandler if tls else FTPHandler

    def ftp_RETR(self: Any, file: str) -> None:  # noqa: N802 (pyftpdlib's name)
        if fail_retr["left"] > 0:  # the connection drops before the transfer
            fail_retr["left"] -= 1
            self.respond("426 Connection closed; transfer aborted.")
            return
        base.ftp_RETR(self, file)

    handler = type("Handler", (base,), attributes | {"ftp_RETR": ftp_RETR})
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


@pytest.fixture
def ftp_feed(tmp_path: Path, fail_retr: dict[str, int]) -> Iterator[Server]:
    yield from _ftp(tmp_path, tls=False, fail_retr=fail_retr)


@pytest.fixture
def ftps_feed(tmp_path: Path, fail_retr: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    # The feed client verifies the certificate against the system's trust store: trust ours.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "server.pem"))
    yield from _ftp(tmp_path, tls=True, fail_retr=fail_retr)


@pytest.fixture
def sftp_feed(sftp_server: Server) -> Server:  # noqa: F811
    (sftp_server.root / "RatedCDRs").mkdir()
    (sftp_server.root / "Retours").mkdir()
    return sftp_server


@pytest.fixture(params=["ftp_feed", "ftps_feed", "sftp_feed"])
def feed(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue(request.param)


def connect(tenant: Any, server: Server, *, port: int | None = None) -> None:
    """The tenant's feed access points at `server` (the platform's row, public schema)."""
    FeedAccess.objects.update_or_create(
        tenant=tenant,
        defaults={
            "protocol": server.protocol,
            "host": "127.0.0.1",
            "port": port or server.port,
            "username": USER,
            "secret_encrypted": encrypt_secret(PASSWORD),
            "root_path": "",
        },
    )


def rated_folder(tenant: Any) -> FeedFolder:
    feed_folders_ensure(kind=tenant.kind)
    settings = feed_import_settings_get()
    settings.stable_seconds = 60
    settings.save()
    return FeedFolder.objects.get(key="rated")


def drop(server: Server, name: str = NAME, data: bytes | None = None) -> Path:
    target = server.root / "RatedCDRs" / name
    if data is None:
        shutil.copy(SAMPLES / NAME, target)
    else:
        target.write_bytes(data)
    return target


def poll(tenant: Any, folder: FeedFolder, now: dt.datetime, **kwargs: Any) -> Any:
    folder.refresh_from_db()
    return feed_folder_poll(folder=folder, tenant=tenant, by=None, now=now, **kwargs)


def test_a_file_is_taken_once_its_size_is_stable_and_never_twice(acme_lines, feed):
    connect(acme_lines, feed)
    drop(feed)
    with in_schema(acme_lines):
        folder = rated_folder(acme_lines)
        first = poll(acme_lines, folder, T0)
        assert first.ok and first.waiting == [NAME] and not first.imports
        assert not Import.objects.exists()
        second = poll(acme_lines, folder, T0 + dt.timedelta(minutes=5))
        assert [i.original_name for i in second.imports] == [NAME]
        done = Import.objects.get()
        assert (done.status, done.source, done.path, done.rows) == ("done", "feed", f"RatedCDRs/{NAME}", 126)
        assert FeedFile.objects.get().status == FeedFileStatus.IMPORTED
        third = poll(acme_lines, folder, T0 + dt.timedelta(minutes=10))
        assert third.ok and not third.imports and not third.waiting
        assert Import.objects.count() == 1
        folder.refresh_from_db()
        assert folder.last_success_at == T0 + dt.timedelta(minutes=10) and folder.files_taken == 1


def test_a_file_still_growing_is_left_for_later(acme_lines, ftp_feed):
    connect(acme_lines, ftp_feed)
    whole = (SAMPLES / NAME).read_bytes()
    half = whole[: len(whole) // 2]
    path = drop(ftp_feed, data=half)
    with in_schema(acme_lines):
        folder = rated_folder(acme_lines)
        assert poll(acme_lines, folder, T0).waiting == [NAME]
        path.write_bytes(whole)  # the operator goes on writing it
        later = poll(acme_lines, folder, T0 + dt.timedelta(minutes=5))
        assert later.waiting == [NAME] and not later.imports
        folder.refresh_from_db()
        assert folder.recheck_at == T0 + dt.timedelta(minutes=10)
        assert feed_folder_is_due(folder, now=T0 + dt.timedelta(minutes=10))
        done = poll(acme_lines, folder, T0 + dt.timedelta(minutes=10))
        assert [i.rows for i in done.imports] == [126]  # the whole file, never the half
        assert Import.objects.count() == 1


def test_a_transfer_dropped_mid_fetch_is_retried_with_back_off_and_nothing_is_lost(
    acme_lines, ftp_feed, fail_retr
):
    connect(acme_lines, ftp_feed)
    drop(ftp_feed)
    with in_schema(acme_lines):
        folder = rated_folder(acme_lines)
        poll(acme_lines, folder, T0)
        fail_retr["left"] = 1
        at = T0 + dt.timedelta(minutes=5)
        failed = poll(acme_lines, folder, at)
        assert not failed.ok and "426" in failed.error
        assert not Import.objects.exists()
        claim = FeedFile.objects.get()
        assert (claim.status, claim.attempts) == (FeedFileStatus.SEEN, 1)
        folder.refresh_from_db()
        assert (folder.failures, folder.last_error_at, folder.retry_at) == (
            1,
            at,
            at + dt.timedelta(minutes=5),
        )
        assert not feed_folder_is_due(folder, now=at + dt.timedelta(minutes=4))
        assert feed_folder_is_due(folder, now=at + dt.timedelta(minutes=5))
        retried = poll(acme_lines, folder, at + dt.timedelta(minutes=5))
        assert retried.ok and [i.status for i in retried.imports] == [ImportStatus.DONE]
        folder.refresh_from_db()
        assert (folder.failures, folder.retry_at) == (0, None)
        assert "426" in folder.last_error  # the last error stays visible with its time


def test_a_refused_connection_backs_off_longer_each_time(acme_lines, ftp_feed):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    connect(acme_lines, ftp_feed, port=closed)
    with in_schema(acme_lines):
        folder = rated_folder(acme_lines)
        assert not poll(acme_lines, folder, T0).ok
        folder.refresh_from_db()
        assert folder.retry_at == T0 + dt.timedelta(minutes=5)
        assert "refused" in folder.last_error
        second = folder.retry_at
        poll(acme_lines, folder, second)
        folder.refresh_from_db()
        assert (folder.failures, folder.retry_at) == (2, second + dt.timedelta(minutes=10))


def test_two_pollers_at_once_take_a_file_once(acme_lines, sftp_feed):
    """The second poller lists the folder in the very window between the first one's listing and
    its claim: both see the file stable, one takes it."""
    connect(acme_lines, sftp_feed)
    drop(sftp_feed)
    with in_schema(acme_lines):
        folder = rated_folder(acme_lines)
        poll(acme_lines, folder, T0)
        at = T0 + dt.timedelta(minutes=5)
        other: list[Any] = []
        first = poll(
            acme_lines,
            folder,
            at,
            after_listing=lambda: (
                other.append(poll(acme_lines, FeedFolder.objects.get(pk=folder.pk), at))
                if not other
                else None
            ),
        )
        taken = [len(r.imports) for r in (first, *other)]
        assert sorted(taken) == [0, 1]
        assert Import.objects.count() == 1


@pytest.mark.parametrize("weekday_hour, due", [
    ((dt.datetime(2026, 10, 21, 8, 5, tzinfo=dt.UTC)), True),    # Wednesday 10h05: the 10h slot
    ((dt.datetime(2026, 10, 21, 7, 55, tzinfo=dt.UTC)), False),  # 9h55: the 8h slot, polled at 8h30
    ((dt.datetime(2026, 10, 21, 19, 0, tzinfo=dt.UTC)), False),  # 21h: after 20h
    ((dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)), False),   # Sunday
])  # fmt: skip
def test_rated_cdrs_are_polled_every_two_hours_from_8h_to_20h_monday_to_saturday(acme, weekday_hour, due):
    with in_schema(acme):
        folder = next(f for f in feed_folders_ensure(kind=acme.kind) if f.key == "rated")
        folder.last_run_at = dt.datetime(2026, 10, 21, 6, 30, tzinfo=dt.UTC)  # 8h30 in Paris
        assert feed_folder_is_due(folder, now=weekday_hour) is due


def test_the_report_of_each_import_is_written_to_retours_when_asked(acme_lines, ftp_feed):
    connect(acme_lines, ftp_feed)
    data = (SAMPLES / NAME).read_bytes().replace(b"VOICE_MO", b"VOICE_XX", 1)
    drop(ftp_feed, data=data)
    with in_schema(acme_lines):
        folder = rated_folder(acme_lines)
        settings = feed_import_settings_get()
        settings.report_to_retours = True
        settings.save()
        poll(acme_lines, folder, T0)
        done = poll(acme_lines, folder, T0 + dt.timedelta(minutes=5)).imports[0]
        assert done.status == ImportStatus.DONE_WITH_REJECTIONS
    report = ftp_feed.root / "Retours" / f"RAPPORT_{NAME[:-4]}_{done.pk}.csv"
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("TYPE;FILE;IMPORT_ID;STATUS;ROWS")
    assert lines[1].startswith(f"SUMMARY;{NAME};{done.pk};done_with_rejections;126;125;")
    assert lines[2].startswith(f"REJECTED;{NAME};{done.pk};") and "EVENT_TYPE" in lines[2]
    assert connection.schema_name == "public"
