"""Bodies Python's json module reads but a JSON column refuses, and other odd input.

Vibes retries a 5xx only a few times and never a 4xx, so every body must be stored: as
received, then either normalised into the JSON column or kept as rejected (400) with the
reason. Run on PostgreSQL too: its jsonb refuses what SQLite's JSON check lets through.
"""

import json

import pytest
from django.db import DataError
from django.test import Client

from callbacks import store
from callbacks.models import CallbackEvent

from .conftest import CHANGELIST_URL, URL, person_event, subscription_event

pytestmark = pytest.mark.django_db


def _body(fragment: str) -> str:
    """A realistic opt-out with ``fragment`` as the opt-out reason's raw JSON value."""
    body = json.dumps(subscription_event("subscription_removed", event_id="ODD-1"))
    return body.replace('"user_opt_out"', fragment)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_a_number_json_columns_cannot_hold_is_kept_as_rejected_not_a_server_error(post, constant):
    response = post(_body(constant))
    assert response.status_code == 400
    event = CallbackEvent.objects.get()
    assert event.status == "rejected" and constant in event.body
    assert "not a JSON number" in event.error and event.payload is None


def test_a_lone_surrogate_is_replaced_and_the_opt_out_applied(deliver):
    """A platform that cuts a name in the middle of an emoji sends half a surrogate pair."""
    body = json.dumps(subscription_event("subscription_removed", event_id="ODD-2"))
    body = body.replace('"user_opt_out"', '"user_opt_out", "note": "Ana \\ud83d"')
    assert deliver(body).status_code == 200
    event = CallbackEvent.objects.get()
    assert event.status == "applied"
    assert event.payload["subscription"]["note"] == "Ana \ufffd"
    assert "\\ud83d" in event.body  # the raw body is kept as sent


def test_a_lone_surrogate_in_a_key_is_replaced_too(deliver):
    body = json.dumps(person_event(event_id="ODD-3")).replace(
        '"timezone"', '"x\\udc00": 1, "timezone"'
    )
    assert deliver(body).status_code == 200
    assert "x\ufffd" in CallbackEvent.objects.get().payload["person"]


def test_a_pair_of_surrogates_is_the_emoji_it_encodes(deliver):
    body = json.dumps(person_event(event_id="ODD-4", custom_fields={"first_name": "Ana 😀"}))
    assert "\\ud83d\\ude00" in body
    deliver(body)
    assert CallbackEvent.objects.get().payload["person"]["custom_fields"]["first_name"] == "Ana 😀"


def _post_bytes(body: bytes, content_type: str):
    """Post ``body`` byte for byte (the test client's post() re-encodes to the charset)."""
    return Client().generic("POST", URL, data=body, content_type=content_type)


def test_utf8_wins_over_a_declared_latin1_charset():
    body = json.dumps(subscription_event(note="José"), ensure_ascii=False).encode()
    assert _post_bytes(body, "text/json; charset=ISO-8859-1").status_code == 200
    assert CallbackEvent.objects.get().payload["subscription"]["note"] == "José"


def test_a_body_that_is_not_utf8_falls_back_on_the_declared_charset():
    body = json.dumps(subscription_event(note="Müller"), ensure_ascii=False).encode("latin-1")
    assert _post_bytes(body, "application/json; charset=ISO-8859-1").status_code == 200
    assert CallbackEvent.objects.get().payload["subscription"]["note"] == "Müller"


@pytest.mark.parametrize("depth", [990, 5000])
def test_every_stored_callback_has_an_admin_page_that_renders(admin_client, post, depth):
    nested = "[" * depth + "1" + "]" * depth
    post('{"callback_type": "person_added", "event_id": "deep", "x": ' + nested + "}")
    post(_body("NaN"))
    _post_bytes(b"\xff\xfe{not json", "application/json")
    for event in CallbackEvent.objects.all():
        page = admin_client.get(f"{CHANGELIST_URL}{event.pk}/change/")
        assert page.status_code == 200, event.status
    assert admin_client.get(CHANGELIST_URL).status_code == 200


def test_a_failed_insert_of_the_payload_is_never_taken_for_a_duplicate(post, monkeypatch):
    """Whatever the database refuses about the parsed payload, the request is stored."""
    real_create = CallbackEvent.objects.create
    refused = []

    def refuse_payloads(**fields):
        if fields.get("payload") is not None and not refused:
            refused.append(fields["dedupe_key"])
            raise DataError("invalid input syntax for type json")
        return real_create(**fields)

    monkeypatch.setattr(store.CallbackEvent.objects, "create", refuse_payloads)
    response = post(subscription_event(event_id="ODD-5"))
    assert response.status_code == 400
    event = CallbackEvent.objects.get()
    assert event.status == "rejected" and event.payload is None
    assert "could not be stored" in event.error and "ODD-5" in event.body
