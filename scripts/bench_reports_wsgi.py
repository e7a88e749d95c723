"""The WSGI application of `bench_reports.py`'s http mode: ism.wsgi with the clock moved to the
bench's day (BENCH_TRAVEL, an ISO datetime; the clock keeps ticking), so that "this month" and
"the last 12 months" of the dashboard and the consumption pages fall on the bench's CDRs as in
the in-process mode. Used only by the bench (gunicorn bench_reports_wsgi:application)."""

import datetime as dt
import os

import time_machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
if os.environ.get("BENCH_TRAVEL"):
    time_machine.travel(dt.datetime.fromisoformat(os.environ["BENCH_TRAVEL"]), tick=True).start()

from ism.wsgi import application  # noqa: E402

__all__ = ["application"]
