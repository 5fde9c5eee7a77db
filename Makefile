# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run test lint bench migrate clean browser-deps bench-admin

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py demo_data
	$(PY) manage.py runserver 127.0.0.1:8000

test: install browser-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Debian's chromium for the browser tests (Playwright drives it; no downloaded browser).
# Installed when missing and we are root; elsewhere the browser tests skip themselves.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

# Admin page times at 100k and 1M persons on PostgreSQL (DATABASE_URL names the server; the
# benchmark creates and drops its own database, BENCH_DB, default vibes_h6_bench).
bench-admin: install
	$(PY) tests/bench_admin.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache
