"""`make demo`: find or start PostgreSQL and Redis, migrate, seed, serve, print the logins.

- PostgreSQL: DATABASE_URL if set; else the server on 127.0.0.1:5432 if there is one; else an
  embedded PostgreSQL (the pgserver package) under .ism/pgdata.
- Tasks: a Celery worker and beat on Redis when Redis answers (REDIS_URL, default
  127.0.0.1:6379); else tasks run in-process, inside the web server.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".ism"
sys.path.insert(0, str(ROOT))

from ism.local_services import (  # noqa: E402
    embedded_postgres,
    postgres_reachable,
    redis_reachable,
    stop_embedded_postgres,
)


def persistent_secret(name: str, factory) -> str:  # type: ignore[no-untyped-def]
    path = STATE / name
    if not path.exists():
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


def main() -> int:
    STATE.mkdir(exist_ok=True)
    (STATE / "logs").mkdir(exist_ok=True)
    (STATE / "mail").mkdir(exist_ok=True)
    env = dict(os.environ)
    port = int(env.get("PORT", "8000"))

    embedded = False
    if env.get("DATABASE_URL"):
        database = f"DATABASE_URL from the environment ({env['DATABASE_URL'].split('@')[-1]})"
    elif postgres_reachable():
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/ism"
        _ensure_database("ism")
        database = "the PostgreSQL server on 127.0.0.1:5432 (database ism)"
    else:
        print("No PostgreSQL on 127.0.0.1:5432: starting an embedded PostgreSQL under .ism/pgdata …")
        env["DATABASE_URL"] = embedded_postgres(STATE / "pgdata", "ism")
        embedded = True
        database = "an embedded PostgreSQL (pgserver) under .ism/pgdata"

    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    use_worker = redis_reachable(env.get("CELERY_BROKER_URL", redis_url))
    if use_worker:
        tasks = f"a Celery worker and beat on Redis ({redis_url})"
        env["ISM_TASKS_IN_PROCESS"] = "0"
    else:
        tasks = "in-process (no Redis answered): long jobs run inside the web server"
        env["ISM_TASKS_IN_PROCESS"] = "1"

    env.setdefault("SECRET_KEY", persistent_secret("secret_key", lambda: secrets.token_urlsafe(50)))
    env.setdefault("ISM_ENCRYPTION_KEYS", persistent_secret("encryption_key", _fernet_key))
    env.setdefault("EMAIL_URL", f"filemail://{STATE / 'mail'}")
    env.setdefault("DJANGO_DEBUG", "0")
    env.setdefault("ISM_PUBLIC_DOMAIN", "admin.localhost")
    env.setdefault("ISM_SCHEME", "http")  # e-mailed links: the demo serves plain http on its port
    env.setdefault("ISM_PUBLIC_PORT", str(port))

    py = sys.executable
    manage = [py, str(ROOT / "manage.py")]
    for step in (
        ["migrate_schemas", "-v", "0"],
        ["compile_translations"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["seed_demo"],
    ):
        print("→ manage.py", " ".join(step))
        subprocess.run(manage + step, cwd=ROOT, env=env, check=True)

    logs = STATE / "logs"
    processes = [
        _start(
            "web",
            [
                py,
                "-m",
                "gunicorn",
                "ism.wsgi",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"0.0.0.0:{port}",
                "--access-logfile",
                "-",
            ],
            env,
            logs,
        ),
    ]
    if use_worker:
        processes.append(
            _start(
                "worker",
                [py, "-m", "celery", "-A", "ism", "worker", "-l", "INFO", "--concurrency", "2"],
                env,
                logs,
            )
        )
        processes.append(
            _start(
                "beat",
                [
                    py,
                    "-m",
                    "celery",
                    "-A",
                    "ism",
                    "beat",
                    "-l",
                    "INFO",
                    "--schedule",
                    str(STATE / "celerybeat-schedule"),
                ],
                env,
                logs,
            )
        )
    time.sleep(2)
    for name, proc in processes:
        if proc.poll() is not None:
            print(f"The {name} process stopped at once: see .ism/logs/{name}.log")
            return 1

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
    import django

    django.setup()
    from ism.demo import DEMO_PASSWORD, demo_logins

    print("\n" + "=" * 78)
    print("ISM demo is running.")
    print(f"  Database : {database}")
    print(f"  Tasks    : {tasks}")
    print(f"  E-mails  : written to {STATE / 'mail'}")
    print(f"  Logs     : {logs}")
    print("\n  Sites (browsers resolve *.localhost to this machine):")
    print(f"    Platform admin : http://admin.localhost:{port}/")
    print(f"    Acme Télécom   : http://acme.localhost:{port}/   (integrator)")
    print(f"    Nova Mobile    : http://nova.localhost:{port}/   (VNO)")
    print(f"    API docs       : http://acme.localhost:{port}/api/v1/docs/")
    print(f"\n  Logins (password for all: {DEMO_PASSWORD}):")
    from django.utils import translation

    with translation.override("en"):  # the banner is in English, like the rest of this output
        for site, login, role in demo_logins():
            print(f"    {site:<24} {login:<12} {role}")
    print("\nPress Ctrl-C to stop.")
    print("=" * 78, flush=True)

    stop = {"now": False}

    def _stop(*_args: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stop["now"]:
        for name, proc in processes:
            if proc.poll() is not None:
                print(f"The {name} process stopped (code {proc.returncode}); see .ism/logs/{name}.log")
                stop["now"] = True
        time.sleep(1)
    for _name, proc in processes:
        proc.terminate()
    for _name, proc in processes:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    if embedded:
        stop_embedded_postgres(STATE / "pgdata")
    print("Stopped.")
    return 0


def _start(name: str, command: list[str], env: dict[str, str], logs: Path) -> tuple[str, subprocess.Popen]:
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115  (kept open for the child's life)
    return name, subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


if __name__ == "__main__":
    sys.exit(main())
