"""Fixtures for the callback tests: a configured token, a poster, realistic payloads."""

import copy
import json
from pathlib import Path

import pytest
from django.test import Client

from callbacks.apply import events_apply_received

PAYLOADS = Path(__file__).parent / "payloads"
TOKEN = "tok-" + "a" * 40
OLD_TOKEN = "tok-" + "b" * 40
URL = f"/callbacks/vibes/{TOKEN}/"
CHANGELIST_URL = "/admin/callbacks/callbackevent/"


def seed_payload(name: str) -> bytes:
    """One of Vibes' two published callback examples, byte for byte (the first is not
    valid JSON)."""
    return (PAYLOADS / f"seed_{name}.json").read_bytes()


def reference_unmatched(
    words: str = "REVOKE", *, mdn: str = "+13125550123", event_id: str = "", invalid=False
) -> str:
    """Vibes' reference example of ``unmatched_message_received`` in its own layout, with
    realistic values (payloads/reference_unmatched_message*.json): ``invalid`` is the
    reference's own broken line (``"mdn:"+1…"``). ``words``, ``mdn`` and ``event_id``
    replace the file's, the layout stays."""
    name = "reference_unmatched_message" + ("_invalid" if invalid else "")
    body = (PAYLOADS / f"{name}.json").read_text()
    body = body.replace('"message":"REVOKE"', f'"message":{json.dumps(words)}')
    body = body.replace("+13125550123", mdn)
    if event_id:
        body = body.replace("3f9c2a7e-5b41-4d8a-9e06-1c7b2f4a8d53", event_id)
    return body


@pytest.fixture(autouse=True)
def callback_settings(settings):
    settings.CALLBACK_TOKENS = [OLD_TOKEN, TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.TRUSTED_PROXY_COUNT = 0
    settings.CALLBACK_MAX_BODY_BYTES = 64 * 1024
    return settings


@pytest.fixture(autouse=True)
def kicks(monkeypatch):
    """Record the endpoint's requests for a worker run instead of publishing them."""
    calls = []
    monkeypatch.setattr("callbacks.views.kick", lambda: calls.append(1))
    return calls


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    client = Client()

    def _post(body, *, url=URL, content_type="application/json", method="post", **extra):
        if isinstance(body, dict):
            body = json.dumps(body)
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client, method)(url, data=body, content_type=content_type, **extra)

    return _post


@pytest.fixture
def deliver(post):
    """Post a callback and let the worker apply it; return the response."""

    def _deliver(body, **kwargs):
        response = post(body, **kwargs)
        events_apply_received()
        return response

    return _deliver


def subscription_event(
    kind="subscription_added",
    *,
    event_id="EVT-1",
    event_date="2017-02-15T15:42:23Z",
    person=None,
    list_id="1234",
    **extra,
):
    """A realistic subscription callback (newer payloads carry person_key and mdn)."""
    sub = {
        "person": person
        or {
            "id": "ABC123",
            "person_key": "pk-ABC123",
            "external_id": "ex1234",
            "mobile_phone": {"mdn": "+12995551234"},
            "url": "/companies/:id/mobiledb/persons/ABC123",
        },
        "subscription_list": {"id": list_id, "url": f"/companies/:id/mobiledb/lists/{list_id}"},
        "opt_in_date": "2017-01-15T15:34:52Z",
        "acquisition_campaign": {"id": "2342312", "url": "/companies/:id/campaigns/2342312"},
    }
    if kind == "subscription_removed":
        sub.update(opt_out_date="2017-02-18T15:34:52+0000", opt_out_reason="user_opt_out")
    sub.update(extra)
    return {
        "callback_id": "DEF124",
        "event_id": event_id,
        "callback_type": kind,
        "event_date": event_date,
        "delivery_attempt": "1",
        "subscription": sub,
    }


def person_event(kind="person_updated", *, event_id="P-1", **person):
    base = {
        "person_id": "ABC123",
        "person_key": "pk-ABC123",
        "external_person_id": "EXT542342",
        "mobile_phone": {"mdn": "+12995551234", "carrier_code": "102"},
        "custom_fields": {"first_name": "John", "last_name": "Doe"},
        "timezone": "America/Chicago",
        "created_at": "2017-01-15T15:34:52Z",
        "updated_at": "2017-02-15T15:42:23.000Z",
    }
    base.update(person)
    return {
        "event_id": event_id,
        "callback_type": kind,
        "event_date": "2017-02-15T15:42:23Z",
        "person": base,
    }


def ack_event(status="CONFIRMED", *, event_id="ACK-1", campaign="2342312", **envelope):
    body = {
        "event_id": event_id,
        "callback_type": "ack_participant_added"
        if status == "PENDING"
        else "ack_participant_changed",
        "event_date": "2017-02-15T15:40:00Z",
        "participant": {
            "person": {
                "id": "ABC123",
                "external_id": "ex1234",
                "mobile_phone": {"mdn": "+12995551234"},
                "url": "/companies/:id/mobiledb/persons/ABC123",
            },
            "acquisition_campaign": {"id": campaign, "description": "Web", "keyword": "DEALS"},
            "participation_date": "2017-02-15T15:39:00Z",
            "expire_date": "2017-02-16T15:39:00Z",
            "status": status,
        },
    }
    body.update(envelope)
    return body


def unmatched_event(
    words="REVOKE",
    *,
    event_id="MSG-1",
    mdn="+13125550123",
    receipt_date="2026-12-03T13:00:00+00:00",
    event_date="2026-12-03T13:00:01Z",
):
    """A text in the body Vibes' reference documents (docs/vibes.md, "Callbacks"):
    the sending number, the code texted, the words as a string; no person."""
    return {
        "event_id": event_id,
        "callback_type": "unmatched_message_received",
        "event_type": "unmatched_message_received",
        "event_date": event_date,
        "participant": {"mdn": mdn, "carrier_id": "104"},
        "source_code": {
            "company_key": "acme-parent",
            "code": "12345",
            "country_code": "1",
            "code_type": "SC",
            "default_response": "Thanks for your message. Reply HELP for help, STOP to opt out.",
            "response_sent": True,
        },
        "message": words,
        "message_id": "0d6c8b1e-3f0a-4f7e-9a55-2b8f6c1d4e70",
        "txn_id": "7e2a9c40-1b3d-4c8e-b6f1-5a0d2e9c7b13",
        "receipt_date": receipt_date,
    }


def variant(body: dict, **changes) -> dict:
    out = copy.deepcopy(body)
    out.update(changes)
    return out
