"""Finding (or starting) the services a developer machine may lack: PostgreSQL and Redis.

Used by `make demo` (scripts/demo.py) and by the test settings; production configures both
through DATABASE_URL and REDIS_URL and never comes here.
"""

import socket
from pathlib import Path
from urllib.parse import urlparse


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    if not tcp_open(host, port):
        return False
    try:
        import psycopg

        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001  (any failure means: not usable as is)
        return False


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    if not tcp_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


def embedded_postgres(data_dir: Path, database: str) -> str:
    """Start (or reuse) an embedded PostgreSQL under `data_dir`; return the URL of `database`.

    The server keeps running after this process ends (the demo's web, worker and tests share
    it) until `stop_embedded_postgres` stops it.
    """
    import logging

    import pgserver

    # Its exit handler logs at INFO after the process's streams may be closed.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    if not database.isidentifier():
        raise ValueError(f"unexpected database name {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    uri = server.get_uri(database)  # postgresql://postgres:@/db?host=/socket/dir
    return uri.replace("postgresql://postgres:@/", "postgres://postgres@/")


def embedded_postgres_pid(data_dir: Path) -> int | None:
    """The pid of the PostgreSQL server running on `data_dir`, or None.

    Read from its postmaster.pid, and checked against the running processes: a file left behind
    by a crash may name a pid that another program now has.
    """
    import psutil

    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        cmdline = psutil.Process(pid).cmdline()
    except (FileNotFoundError, IndexError, ValueError, psutil.Error):
        return None
    data = str(data_dir.resolve())
    if cmdline and cmdline[0].endswith("postgres") and data in cmdline:
        return pid
    return None


def stop_embedded_postgres(data_dir: Path, *, timeout: float = 30.0) -> None:
    """Stop the embedded PostgreSQL of `data_dir` and return once its process has exited.

    pgserver's own cleanup stops a server only when the caller holds its last handle, which a
    demo stopped with Ctrl-C or a test process never does; so we ask PostgreSQL itself for a fast
    shutdown (SIGINT, what `pg_ctl stop -m fast` sends: open sessions are rolled back).
    """
    import atexit
    import os
    import signal

    import psutil
    from pgserver.postgres_server import PostgresServer

    # Drop this process's handle (if any): it would hand out the stopped server's address again.
    handle = PostgresServer._instances.pop(data_dir.resolve(), None)
    if handle is not None:
        atexit.unregister(handle._cleanup)
        handle.global_process_id_list.get_and_remove(os.getpid())
    pid = embedded_postgres_pid(data_dir)
    if pid is None:
        return
    try:
        server = psutil.Process(pid)
        server.send_signal(signal.SIGINT)
        server.wait(timeout)
    except psutil.NoSuchProcess:
        return
    except psutil.TimeoutExpired:
        server.kill()
        server.wait(5)
