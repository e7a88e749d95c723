"""`make demo` without a PostgreSQL server: the demo migrates and seeds on the embedded one
(pgserver), whose build lacks some contrib extensions. Runs as a separate process, like the demo."""

import os
import subprocess
import sys
from pathlib import Path

import psutil
import psycopg
import pytest

from ism.local_services import embedded_postgres, embedded_postgres_pid, stop_embedded_postgres

ROOT = Path(__file__).resolve().parents[2]


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    """Every `postgres -D <data_dir>` process still running."""
    data = str(data_dir.resolve())
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if cmdline and cmdline[0].endswith("postgres") and "-D" in cmdline and data in cmdline:
            found.append(process)
    return found


def test_stopping_the_embedded_postgresql_ends_its_process(tmp_path):
    data_dir = tmp_path / "pgdata"
    embedded_postgres(data_dir, "ism_stop")
    try:
        assert postgres_processes(data_dir)
        assert embedded_postgres_pid(data_dir) == postgres_processes(data_dir)[0].pid
        stop_embedded_postgres(data_dir)
        assert not postgres_processes(data_dir)
        assert embedded_postgres_pid(data_dir) is None
        stop_embedded_postgres(data_dir)  # nothing left to stop: no error

        # Started again in the same process, it answers, and stops again.
        url = embedded_postgres(data_dir, "ism_stop")
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        stop_embedded_postgres(data_dir)
        assert not postgres_processes(data_dir)
    finally:
        for process in postgres_processes(data_dir):
            process.kill()


def test_a_stale_pid_file_never_stops_another_program(tmp_path):
    data_dir = tmp_path / "pgdata"
    data_dir.mkdir()
    (data_dir / "postmaster.pid").write_text(f"{os.getpid()}\n{data_dir}\n")
    assert embedded_postgres_pid(data_dir) is None
    stop_embedded_postgres(data_dir)  # this test's own pid: still alive


@pytest.mark.worker
def test_the_demo_migrates_and_seeds_on_the_embedded_postgresql(tmp_path):
    data_dir = tmp_path / "pgdata"
    url = embedded_postgres(data_dir, "ism_demo")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ISM_TASKS_IN_PROCESS": "1",
        "DJANGO_SETTINGS_MODULE": "ism.settings",
        "ISM_MEDIA_ROOT": str(tmp_path / "media"),
    }
    try:
        for command in (["migrate_schemas", "-v", "0"], ["seed_demo"]):
            done = subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr[-3000:]
        assert "Demo ready" in done.stdout
    finally:
        stop_embedded_postgres(data_dir)
    assert not postgres_processes(data_dir), "the embedded PostgreSQL is still running"
