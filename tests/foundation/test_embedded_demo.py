"""`make demo` without a PostgreSQL server: the demo migrates and seeds on the embedded one
(pgserver), whose build lacks some contrib extensions. Runs as a separate process, like the demo."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ism.local_services import embedded_postgres, stop_embedded_postgres

ROOT = Path(__file__).resolve().parents[2]


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
