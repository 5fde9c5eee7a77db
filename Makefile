# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run test lint bench migrate clean browser-deps messages bench-preferences bench-callbacks bench-admin bench-push bench-apply bench-extract

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# `make run`: the whole loop on one machine (web, worker, beat, the Vibes simulator), with
# the product configured for the simulator. Each can be overridden from the shell. DEBUG
# is said here: the settings default to off (and refuse to start without SECRET_KEY).
run: export DEBUG ?= 1
# make run writes var/dev.env for other terminals (dev_ready --preflight); it reads none.
run: export DEV_ENV_WRITER = 1
run: export WEB_PORT ?= 8000
run: export SIM_PORT ?= 8001
run: export VIBES_COMPANY_KEY ?= demo-company
run: export VIBES_USERNAME ?= api@demo-company.test
run: export VIBES_PASSWORD ?= simulator-password
run: export CALLBACK_TOKENS ?= dev-callback-token-not-secret-0123456789
run: export SITE_URL ?= http://127.0.0.1:$(WEB_PORT)
run: export VIBES_API_URL ?= http://127.0.0.1:$(SIM_PORT)
# The simulator has no texts to show: the code proving a new number is printed instead.
run: export NUMBER_CODE_SENDER ?= subscribers.services.proofs.console_sender
# Likewise the link a "text me a new link" request would text.
run: export PREFERENCE_LINK_SENDER ?= subscribers.preferences.link_requests.console_sender

run: migrate
	$(PY) manage.py demo_data
	$(PY) manage.py dev_ready --preflight
	$(VENV)/bin/honcho -f Procfile.dev start

test: install browser-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Debian's chromium for the browser tests (Playwright drives it; no downloaded browser).
# Installed when missing and we are root; elsewhere the browser tests skip themselves.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

# Refresh and compile the Spanish catalogue (needs gettext; the .mo is committed).
messages: install
	$(PY) manage.py makemessages -l es --ignore=.venv --ignore=tests --no-obsolete
	msgfmt --check -o locale/es/LC_MESSAGES/django.mo locale/es/LC_MESSAGES/django.po

# Benchmarks live in benchmarks/ and print figures against a baseline measured in the same
# run; none is part of `make test`. Those that drive Django through pytest are collected by
# their bench_* functions. Most need DATABASE_URL on PostgreSQL (and REDIS_URL).
BENCH_PYTEST := $(VENV)/bin/pytest -q -s -p no:cacheprovider -o python_functions=bench_*

bench: bench-callbacks bench-push bench-admin bench-preferences

# The callback endpoint against a bare insert view, on gunicorn and PostgreSQL.
bench-callbacks: install
	$(PY) -m benchmarks.bench_callbacks

# Admin page times at 100k and 1M persons on PostgreSQL (DATABASE_URL names the server; the
# benchmark creates and drops its own database, BENCH_DB, default vibes_admin_bench).
bench-admin: install
	$(PY) -m benchmarks.bench_admin

# Push throughput against the limit (one and two workers, 10,000 persons; BENCH_PERSONS
# and BENCH_RATE_LIMIT change them) and coalescing, against the simulator with 50 ms
# latency enforcing the limit (needs DATABASE_URL on PostgreSQL and REDIS_URL).
bench-push: install
	$(BENCH_PYTEST) benchmarks/bench_push.py $(PYTEST_ARGS)

# Applying a burst of callbacks: batches vs event by event, workers, intake, 1M persons
# (PostgreSQL and Redis; its own database, BENCH_DB, default vibes_apply_bench).
bench-apply: install
	$(PY) -m benchmarks.bench_apply

# Loading a 1,000,000-row Subscription Extract with the real command: batches vs row by
# row, a second load, a dry run, peak memory (PostgreSQL; its own database, BENCH_DB,
# default vibes_extract_bench; BENCH_EXTRACT_ROWS changes the size).
bench-extract: install
	$(PY) -m benchmarks.bench_extract

# The preference page's render time and the link-request form's timing (any database).
bench-preferences: install
	$(BENCH_PYTEST) benchmarks/bench_preferences.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache
