# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run test lint bench bench-push migrate clean browser-deps

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

# Push throughput and coalescing against a fake Vibes with 50 ms latency (needs
# DATABASE_URL on PostgreSQL and REDIS_URL). Not part of the test suite.
bench-push: install
	$(VENV)/bin/pytest -q -s -p no:cacheprovider tests/bench/bench_push.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache
