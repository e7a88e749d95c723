# ISM — the commands of the README. Everything installs into .venv from requirements-dev.lock.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo test lint chromium npm lock clean-demo bench

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements-dev.lock
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)
	@$(PY) manage.py compile_translations

## make demo: install, migrate, seed the demo tenants, start web + worker + beat, print URLs and logins.
demo: install
	$(PY) scripts/demo.py

## make test: install what the tests need (Python packages, Debian's Chromium and mdbtools, axe-core from npm)
## and run every test.
test: install chromium npm
	$(PY) -m pytest

# axe-core (the accessibility check of the browser tests), pinned in package-lock.json.
npm: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }
	@command -v mdb-export >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mdbtools >/dev/null; \
	  else echo "Operator invoices (.mdb) need Debian's mdbtools: sudo apt-get install mdbtools"; exit 1; fi; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

## make lock: re-resolve the pinned versions after editing pyproject.toml.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 -q -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -q -o requirements-dev.lock

## make bench: every benchmark (rating, feed import, lines, billing run, PDFs, reports, SEPA), each
## printing its figures and targets; all run even when one misses, and the exit status says if any did.
BENCHES := bench bench_import bench_lines bench_billing bench_pdf bench_reports bench_sepa
bench: install
	@missed=""; for script in $(BENCHES); do \
		echo "== scripts/$$script.py"; \
		$(PY) scripts/$$script.py || missed="$$missed $$script"; \
	done; \
	if [ -n "$$missed" ]; then echo "== targets missed (or failed) in:$$missed"; exit 1; fi; \
	echo "== every target met"

clean-demo:
	-$(PY) -c "from pathlib import Path; from ism.local_services import stop_embedded_postgres as s; s(Path('.ism/pgdata'))"
	rm -rf .ism staticfiles
