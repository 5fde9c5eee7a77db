"""Shared fixtures.

Tests marked ``services`` need PostgreSQL, Redis and a real Celery worker. They run when
DATABASE_URL points at PostgreSQL and REDIS_URL is set, and are skipped otherwise; with
REQUIRE_SERVICES=1 (as .ci/run sets in its second run) a missing service fails them.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from subscribers.models import CustomField
from tests import texts

ROOT = Path(__file__).resolve().parent.parent


def services_available() -> bool:
    engine = settings.DATABASES["default"]["ENGINE"]
    return engine == "django.db.backends.postgresql" and bool(settings.REDIS_URL)


SERVICES_REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    if services_available():
        return
    if SERVICES_REQUIRED:
        pytest.exit(
            "REQUIRE_SERVICES=1, but DATABASE_URL is not PostgreSQL or REDIS_URL is unset",
            returncode=3,
        )
    reason = "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)"
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under REQUIRE_SERVICES=1 a services test that skips itself is a failure."""
    report = yield
    if SERVICES_REQUIRED and report.skipped and item.get_closest_marker("services"):
        report.outcome = "failed"
        report.longrepr = f"services test skipped under REQUIRE_SERVICES=1: {report.longrepr}"
    return report


def database_url_for_subprocess() -> str:
    """The URL of the database this test run is using (the test database)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def subprocess_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            # The development configuration, as in this process (pyproject's pytest env):
            # the settings default to production's.
            "DEBUG": "1",
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": settings.REDIS_URL,
            "PYTHONUNBUFFERED": "1",
            "CONN_MAX_AGE": "0",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class WorkerProcess:
    """A real ``celery worker`` process, started and stopped by tests."""

    def __init__(self, log_path: Path, env: dict):
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "WorkerProcess":
        from config.celery import app

        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            replies = app.control.ping(timeout=0.5)
            if replies:
                return self
        raise RuntimeError(f"worker did not answer a ping within {timeout}s; see {self.log_path}")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with no counts in the rate limits (subscribers/limits.py): the
    suite types the same few numbers again and again."""
    cache.clear()


@pytest.fixture(autouse=True)
def english_after():
    """A request in Spanish leaves Spanish active in the thread (LocaleMiddleware does not
    reset it): the next test starts in the default language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def texted_codes(settings):
    """One-time codes for new numbers are recorded (``tests.texts``), not texted."""
    settings.NUMBER_CODE_SENDER = "tests.texts.record_code"
    texts.CODES.clear()
    return texts.CODES


@pytest.fixture
def celery_worker_process(tmp_path, transactional_db):
    """Start a real worker on Redis against this run's test database; stop it after."""
    if not services_available():
        pytest.skip("needs PostgreSQL and Redis")
    from config.celery import app

    app.control.purge()
    worker = WorkerProcess(tmp_path / "worker.log", subprocess_env())
    yield worker
    worker.stop()


pytest_plugins = ["tests.browser", "tests.simulator_fixtures"]


#: Text custom fields the suite writes from local sources; the services refuse a key no
#: definition names (subscribers/custom_values.py), as Vibes refuses it with a 422.
TEXT_FIELD_KEYS = ("first_name", "last_name", "city", "color", "a", "n")


@pytest.fixture
def text_fields(db):
    """Defines ``TEXT_FIELD_KEYS`` as text custom fields."""
    return [
        CustomField.objects.create(key=key, label=key.replace("_", " ").capitalize())
        for key in TEXT_FIELD_KEYS
    ]
