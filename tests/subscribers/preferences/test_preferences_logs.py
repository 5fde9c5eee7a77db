"""No preference token in any log line (config/logsafe.py).

The token in ``/preferences/<token>/`` opens a person's page for 30 days. Django's loggers
write the path of every 4xx (a typo in the number form, a mistyped link, a CSRF failure);
each is driven through the real page and both pytest's capture and the configured
handler's formatted output are read.
"""

import logging

import pytest
from django.test import Client

from subscribers.preferences import links
from tests.logs import assert_clean, log_output  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(world):
    return links.make_token(world.person)


def test_a_typo_in_the_number_form_logs_no_token(client, token, caplog, log_output):  # noqa: F811
    response = client.post(f"/preferences/{token}/number/", {"n-mdn": "555-01"})
    assert response.status_code == 400
    assert_clean(token, caplog, log_output, logged="Bad Request: /preferences/[token]/number/")


def test_a_mistyped_link_logs_none_of_the_token(client, token, caplog, log_output):  # noqa: F811
    typo = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(f"/preferences/{typo}/").status_code == 404
    assert_clean(token[:-3], caplog, log_output, logged="Not Found: /preferences/[token]/")


def test_a_link_cut_short_logs_none_of_it(client, token, caplog, log_output):  # noqa: F811
    cut = token[: len(token) // 2]
    assert client.get(f"/preferences/{cut}/").status_code == 404
    assert_clean(cut, caplog, log_output, logged="Not Found: /preferences/[token]/")


def test_a_csrf_failure_logs_no_token(token, caplog, log_output):  # noqa: F811
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(f"/preferences/{token}/lists/", {"shown": []})
    assert response.status_code == 403
    assert_clean(token, caplog, log_output, logged="/preferences/[token]/lists/")
    assert any(r.name == "django.security.csrf" for r in caplog.records)


def test_a_wrong_method_logs_no_token(client, token, caplog, log_output):  # noqa: F811
    assert client.get(f"/preferences/{token}/lists/").status_code == 405
    assert_clean(
        token, caplog, log_output, logged="Method Not Allowed (GET): /preferences/[token]/lists/"
    )


def test_a_full_link_in_any_message_is_cleaned(world, token, caplog, log_output):  # noqa: F811
    url = links.preference_url(world.person, base_url="https://prefs.example.com")
    logging.getLogger("subscribers.preferences").warning("could not text %s", url)
    logging.getLogger("subscribers.preferences").warning("bare %s token", token)
    assert_clean(
        token,
        caplog,
        log_output,
        logged="could not text https://prefs.example.com/preferences/[token]/",
    )
    assert "bare [token] token" in log_output.getvalue()


def test_the_new_link_page_keeps_its_path(client, caplog, log_output):  # noqa: F811
    assert client.get("/preferences/new-link/", {"x": "1"}).status_code == 200
    logging.getLogger("x").warning("served %s", "/preferences/new-link/sent/")
    assert "served /preferences/new-link/sent/" in log_output.getvalue()
