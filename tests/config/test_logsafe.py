"""The credential filter (config/logsafe.py): where it is attached and what it replaces."""

import logging
import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest
import requests
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from config import logsafe
from tests.logs import assert_clean, configured_handlers, log_output  # noqa: F401

from .test_config import ROOT

SECRET = "cb-" + "s3cr3t" * 6


def test_the_prefixes_are_the_routed_ones():
    assert reverse("callbacks:vibes", kwargs={"token": "T"}) == f"{logsafe.CALLBACK_PREFIX}T/"
    page = reverse("preferences:page", kwargs={"token": "T"})
    assert page == f"{logsafe.PREFERENCE_PREFIX}T/"
    for name in ("preferences:link_request", "preferences:link_sent"):
        segment = reverse(name).removeprefix(logsafe.PREFERENCE_PREFIX).split("/")[0]
        assert segment in logsafe.PREFERENCE_PUBLIC_SEGMENTS


def test_every_handler_in_settings_carries_the_filter():
    assert settings.LOGGING["handlers"]
    for name, handler in settings.LOGGING["handlers"].items():
        assert "no_credentials" in handler.get("filters", []), name
    assert configured_handlers()


@pytest.mark.parametrize(
    "name",
    ["django", "django.request", "django.security.csrf", "django.server", "celery", "callbacks"],
)
def test_no_logger_writes_through_an_unfiltered_handler(name):
    """Django installs handlers of its own on "django" and "django.server" before
    settings.LOGGING is applied; none may be left without the filter."""
    logger = logging.getLogger(name)
    while logger is not None:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue  # pytest's capture, added for the test run
            if isinstance(handler, logging.NullHandler):
                continue  # writes nothing
            assert any(isinstance(f, logsafe.CredentialFilter) for f in handler.filters), (
                logger.name,
                handler,
            )
        logger = logger.parent if logger.propagate else None


def test_configured_secrets_are_replaced_anywhere(settings, caplog, log_output):  # noqa: F811
    settings.CALLBACK_TOKENS = ["short", SECRET]
    settings.MONITORING_TOKEN = "mon-" + "m" * 30
    log = logging.getLogger("callbacks")
    log.warning("registering https://h.example/cb?t=%s", SECRET)
    log.warning("bearer %s", settings.MONITORING_TOKEN)
    assert_clean(SECRET, caplog, log_output, logged="registering https://h.example/cb?t=[token]")
    assert settings.MONITORING_TOKEN not in log_output.getvalue()
    assert "short" not in logsafe.redact("xx") and logsafe.redact("a short word") == "a short word"


def test_a_traceback_and_the_request_extra_are_cleaned(caplog, log_output):  # noqa: F811
    request = RequestFactory().get(f"/callbacks/vibes/{SECRET}/")
    try:
        raise ValueError(f"no route for {request.path}")
    except ValueError:
        logging.getLogger("django.request").exception(
            "Server Error: %s", request.path, extra={"request": request}
        )
    assert_clean(SECRET, caplog, log_output, logged="Server Error: /callbacks/vibes/[token]/")
    assert "ValueError: no route for /callbacks/vibes/[token]/" in log_output.getvalue()
    assert "[token]" in caplog.records[-1].request


def test_a_message_that_cannot_be_formatted_still_logs_without_its_args(log_output):  # noqa: F811
    logging.getLogger("callbacks").warning("two %s %s", f"/callbacks/vibes/{SECRET}/")
    assert SECRET not in log_output.getvalue()
    assert "[token]" in log_output.getvalue()


def test_the_celery_worker_logging_setup_keeps_the_filter():
    """Celery replaces the root logger's handlers in the worker and adds its task logger's;
    the filter follows them (config/celery.py). Run Celery's own set-up in a process."""
    script = textwrap.dedent(
        f"""
        import logging
        from celery.utils.log import get_task_logger
        from config.celery import app
        app.log.setup(loglevel="INFO", logfile=None, redirect_stdouts=True, colorize=False)
        print("printed /callbacks/vibes/{SECRET}/")
        logging.getLogger("celery.worker").warning("GET /callbacks/vibes/{SECRET}/")
        get_task_logger("subscribers.tasks").warning("sent %s", "/preferences/{SECRET}/")
        logging.getLogger("callbacks").warning("token %s", "{SECRET}")
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"DEBUG": "1", "CALLBACK_TOKENS": SECRET})
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert SECRET not in output
    assert "GET /callbacks/vibes/[token]/" in output
    assert "sent /preferences/[token]/" in output
    assert "token [token]" in output
    assert "printed /callbacks/vibes/[token]/" in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_logs_no_token_in_its_access_log_or_djangos(tmp_path):
    """The production entry point: gunicorn's own handlers (set up before the application
    loads) and Django's both write the paths of a 404 and a 405 without their token."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="gunicorn-test-" + "k" * 40,
        HTTPS_ONLY="0",
        ALLOWED_HOSTS="127.0.0.1",
        CALLBACK_TOKENS=SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                "-",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/preferences/{SECRET}/", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):  # the first loads the app
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert requests.get(f"{base}/callbacks/vibes/{SECRET}/", timeout=5).status_code == 405
    finally:
        server.terminate()
        server.wait(timeout=20)
    output = log.read_text()
    assert SECRET not in output, output
    assert "Not Found: /preferences/[token]/" in output, output
    assert "Method Not Allowed: /callbacks/vibes/[token]/" in output, output
    assert '"GET /callbacks/vibes/[token]/ HTTP/1.1" 405' in output, output
