import logging
import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from subscribers import services
from subscribers.models import Source
from subscribers.preferences import link_requests, links
from tests.subscribers.preferences.prefs_helpers import snapshot

pytestmark = pytest.mark.django_db

SENT = []


def recording_sender(*, person, url, reference=""):
    SENT.append((person.pk, url))


@pytest.fixture(autouse=True)
def isolated(settings):
    settings.PREFERENCE_LINK_SENDER = (
        "tests.subscribers.preferences.test_preferences_link_requests.recording_sender"
    )
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    SENT.clear()
    yield
    cache.clear()


@pytest.fixture
def person():
    return services.person_create(source=Source.ADMIN, mdn="+14155550132")


ANSWER = re.compile(r"^/preferences/new-link/sent/\?text=[0-9a-f-]{36}$")


def answer_page(response) -> str:
    """Where an answer sends the browser, its request's own reference taken out."""
    assert ANSWER.match(response["Location"]), response["Location"]
    return response["Location"].partition("?")[0]


def ask(client, number, ip="203.0.113.5"):
    return client.post("/preferences/new-link/", {"mdn": number}, REMOTE_ADDR=ip)


def test_the_form_page_renders_and_changes_nothing(client, person):
    before = snapshot()
    response = client.get("/preferences/new-link/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert 'type="tel"' in response.content.decode()
    assert snapshot() == before


def test_a_known_number_gets_a_working_link_by_the_sender(client, person):
    response = ask(client, "(415) 555-0132")
    assert response.status_code == 302 and answer_page(response) == "/preferences/new-link/sent/"
    assert [pk for pk, _ in SENT] == [person.pk]
    token = SENT[0][1].rstrip("/").split("/")[-1]
    assert links.read_token(token) == person


def test_known_and_unknown_numbers_get_the_same_answer(client, person):
    known = ask(client, "+1 415 555 0132", ip="203.0.113.1")
    unknown = ask(client, "+1 415 555 0199", ip="203.0.113.2")
    assert (known.status_code, answer_page(known)) == (unknown.status_code, answer_page(unknown))
    assert known.content == unknown.content

    def page_after(answer) -> bytes:
        reference = answer["Location"].partition("?text=")[2].encode()
        return client.get(answer["Location"]).content.replace(reference, b"REF")

    assert page_after(known) == page_after(unknown)
    assert len(SENT) == 1


def test_both_branches_do_the_same_work(client, person, monkeypatch, django_assert_num_queries):
    """Same queries, one token signed, the same padding: the time cannot tell them apart."""
    signed, padded = [], []
    real_url = links.preference_url
    monkeypatch.setattr(
        links, "preference_url", lambda p, **kw: signed.append(p) or real_url(p, **kw)
    )
    monkeypatch.setattr(link_requests, "pad", lambda started: padded.append(started))
    for number in ("+14155550132", "+14155550199"):
        with django_assert_num_queries(1):  # the person lookup only (LocMem cache)
            link_requests.request_link(mdn=number)
    assert len(signed) == 2 and signed[0].pk == person.pk and signed[1].pk == 0
    ask(client, "+14155550132", ip="198.51.100.1")
    ask(client, "+14155550199", ip="198.51.100.2")
    assert len(padded) == 2


def test_every_answer_is_padded_to_the_minimum_duration(monkeypatch, settings):
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0.5
    slept = []
    monkeypatch.setattr(link_requests, "sleep", slept.append)
    monkeypatch.setattr(link_requests, "monotonic", lambda: 100.2)
    link_requests.pad(100.0)
    assert slept == [pytest.approx(0.3)]
    monkeypatch.setattr(link_requests, "monotonic", lambda: 101.0)
    link_requests.pad(100.0)
    assert len(slept) == 1  # already slower than the minimum: no extra wait


def test_requests_per_number_are_limited_silently(client, person):
    answers = [ask(client, "+14155550132", ip=f"203.0.113.{i}") for i in range(5)]
    assert {(a.status_code, answer_page(a)) for a in answers} == {
        (302, "/preferences/new-link/sent/")
    }
    assert len(SENT) == link_requests.NUMBER_LIMIT[0]


def test_requests_per_address_are_limited(client, person):
    limit = link_requests.ADDRESS_LIMIT[0]
    for i in range(limit):
        assert ask(client, f"+1415555{1000 + i:04d}").status_code == 302
    response = ask(client, "+14155550132")
    assert response.status_code == 429
    assert "try again in an hour" in response.content.decode()
    assert SENT == []
    assert ask(client, "+14155550132", ip="192.0.2.77").status_code == 302


def test_the_addresses_of_one_ipv6_64_share_one_limit(client, person):
    limit = link_requests.ADDRESS_LIMIT[0]
    for i in range(limit):  # a new address of the same /64 for each request
        assert (
            ask(client, f"+1415555{1000 + i:04d}", ip=f"2001:db8:7:8::{i + 1:x}").status_code == 302
        )
    assert ask(client, "+14155550132", ip="2001:db8:7:8:ffff::1").status_code == 429
    assert ask(client, "+14155550132", ip="2001:db8:7:9::1").status_code == 302


def test_an_invalid_number_is_explained(client):
    response = ask(client, "12")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid mobile phone number" in body and 'aria-invalid="true"' in body


def test_a_broken_cache_lets_requests_through(client, person):
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with override_settings(CACHES=broken):
        assert ask(client, "+14155550132").status_code == 302
    assert len(SENT) == 1


def test_the_default_sender_logs_without_the_number(client, person, settings, caplog):
    settings.PREFERENCE_LINK_SENDER = link_requests.DEFAULT_SENDER
    with caplog.at_level(logging.INFO, logger="subscribers.preferences.link_requests"):
        ask(client, "+14155550132")
    assert f"person #{person.pk}" in caplog.text
    assert "0132" not in caplog.text and "/preferences/" not in caplog.text


def test_spanish_answer(client):
    body = client.get("/preferences/new-link/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Envíame un enlace nuevo" in body


@override_settings(PREFERENCE_LINK_REQUEST_MIN_SECONDS=0)
def test_get_never_sends(client, person):
    client.get("/preferences/new-link/?mdn=%2B14155550132")
    client.get("/preferences/new-link/sent/")
    assert SENT == []
