"""No callback token in any log line, whatever the endpoint answers (config/logsafe.py).

Django's ``django.request`` logger writes the path of every 4xx and 5xx answer, and the
path holds the token. Each answer below is driven through the real endpoint; the test reads
pytest's capture and the configured handler's formatted output.
"""

import json

import pytest
from django.test import Client

from tests.logs import assert_clean, log_output  # noqa: F401

from .conftest import TOKEN, URL, subscription_event

pytestmark = pytest.mark.django_db

LOGGED = "/callbacks/vibes/[token]/"


def test_a_400_for_a_body_that_is_not_json_logs_no_token(post, caplog, log_output):  # noqa: F811
    assert post("not json at all").status_code == 400
    assert_clean(TOKEN, caplog, log_output, logged=f"Bad Request: {LOGGED}")


def test_a_403_for_a_source_outside_the_allowlist_logs_no_token(
    post,
    settings,
    caplog,
    log_output,  # noqa: F811
):
    settings.CALLBACK_ALLOWED_IPS = ["192.0.2.0/24"]
    assert post(subscription_event(), REMOTE_ADDR="198.51.100.7").status_code == 403
    assert_clean(TOKEN, caplog, log_output, logged=f"Forbidden: {LOGGED}")


def test_a_404_for_a_near_miss_token_logs_none_of_it(post, caplog, log_output):  # noqa: F811
    near_miss = TOKEN[:-1] + "z"
    response = post(subscription_event(), url=f"/callbacks/vibes/{near_miss}/")
    assert response.status_code == 404
    assert_clean(near_miss[:-1], caplog, log_output, logged=f"Not Found: {LOGGED}")


def test_a_413_for_a_large_body_logs_no_token(post, settings, caplog, log_output):  # noqa: F811
    settings.CALLBACK_MAX_BODY_BYTES = 100
    body = json.dumps(subscription_event(note="x" * 500))
    assert post(body).status_code == 413
    assert_clean(TOKEN, caplog, log_output, logged=f"Request Entity Too Large: {LOGGED}")


def test_a_405_for_a_get_logs_no_token(caplog, log_output):  # noqa: F811
    assert Client().get(URL).status_code == 405
    assert_clean(TOKEN, caplog, log_output, logged=LOGGED)


def test_a_500_when_storing_fails_logs_no_token_in_the_line_or_traceback(
    monkeypatch,
    caplog,
    log_output,  # noqa: F811
):
    def crash(**kwargs):
        raise RuntimeError(f"could not store the callback of {URL}")

    monkeypatch.setattr("callbacks.views.event_store", crash)
    client = Client(raise_request_exception=False)
    response = client.post(URL, data=json.dumps(subscription_event()), content_type="text/json")
    assert response.status_code == 500
    assert_clean(TOKEN, caplog, log_output, logged=f"Internal Server Error: {LOGGED}")
    written = log_output.getvalue()
    assert "Traceback" in written and "RuntimeError: could not store the callback of" in written
