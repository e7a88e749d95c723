"""Gunicorn's settings for the ISM's web process: the Dockerfile, `make demo` and the reports
bench (`scripts/bench_reports.py`) all serve the application with them.

- `2 × cores + 1` worker processes (gunicorn's advice; `ISM_WEB_WORKERS` overrides), each
  serving one request at a time (`ISM_WEB_THREADS`, default 1): pages are CPU-bound Python, and
  two requests in one process share its GIL, so the slower of them waits for the other (p95 of
  the reports under 10 clients on 2 cores: 240–340 ms with 2 threads, 230–250 ms with 1). A
  streamed export holds its worker while it runs: a site where many long exports run at once
  raises the workers or the threads.
- A worker accepts no more connections than it has threads (`worker_connections = threads`): the
  others wait in the kernel's queue and go, first come first served, to the first worker that is
  free. With gunicorn's default (1,000) a busy worker kept accepting and its requests queued
  behind each other while other workers idled: the reports' p95 was 290–350 ms with the same
  code (docs/benchmarks.md, issue 14).
- No keep-alive (a connection serves one request: a reverse proxy in front keeps the clients'
  connections), as a kept connection would hold a thread.
- The gthread worker's main thread tells the arbiter it is alive while a request runs, so a long
  export is not killed at `timeout` (the sync worker would be).
"""

import multiprocessing
import os

worker_class = "gthread"
workers = int(os.environ.get("ISM_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("ISM_WEB_THREADS", "1"))
worker_connections = threads
keepalive = 0
timeout = int(os.environ.get("ISM_WEB_TIMEOUT", "120"))
