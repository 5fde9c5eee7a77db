# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""Texts of our own go out as events of Vibes' Event API, against the simulator.

The task runs in-process (``tasks.push_send``); the broker is replaced by ``published``.
The code and the link must never be kept where staff or a log could read them.
"""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from subscribers import services, tasks
from subscribers.models import NumberProof, Person, Source
from subscribers.outbox.models import Push, PushAttempt, Text
from subscribers.outbox.texts import seal, unseal
from subscribers.phone import mask
from subscribers.preferences import link_requests, links
from subscribers.vibes.client import VibesClient
from subscribers.vibes.ratelimit import reset_shared_rate_limit
from tests.subscribers.outbox.push_fixtures import calls, published, vibes  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

OLD, NEW = "+14155550101", "+14155550132"


@pytest.fixture
def event_senders(settings):
    settings.VIBES_EVENT_TYPE_NUMBER_CODE = "prefs_number_code"
    settings.VIBES_EVENT_TYPE_PREFERENCE_LINK = "prefs_preference_link"
    settings.NUMBER_CODE_SENDER = "subscribers.outbox.texts.number_code_sender"
    settings.PREFERENCE_LINK_SENDER = "subscribers.outbox.texts.preference_link_sender"
    settings.PUSH_RETRY_BASE_SECONDS = 0.01
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0


@pytest.fixture
def person(db):
    return services.person_create(source=Source.ADMIN, mdn=OLD, external_person_id="crm-7")


def _ask(person) -> Text:
    assert services.person_ask_number(person=person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    return Text.objects.get(person=person, kind=Text.Kind.NUMBER_CODE)


def _our_logs(caplog) -> str:
    """What the product logged (the simulator prints the texts it sends, as a phone shows
    them)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("simulator"))


def _events(sim) -> list[dict]:
    return [r.body for r in calls(sim, "POST", r"^/events$")]


def test_the_code_goes_to_the_new_number_as_an_event_of_its_type(
    vibes, published, event_senders, person, caplog
):
    caplog.set_level(logging.DEBUG)
    text = _ask(person)
    # Nothing went to Vibes during the request: the push waits for a worker.
    assert _events(vibes) == [] and (text.push_id, None) in published
    code = unseal(text.sealed, text.event_id)
    assert text.sealed != code and text.push.kind == Push.Kind.TEXT

    note = tasks.push_send(text.push_id)

    assert "accepted by Vibes" in note
    assert _events(vibes) == [
        {
            "event_id": text.event_id,
            "event_type": "prefs_number_code",
            "event_data": {"mdn": NEW, "code": code},
        }
    ]
    assert [t["text"] for t in vibes.inbox(NEW)] == [f"Your code to confirm this number: {code}"]
    text.refresh_from_db()
    assert (text.state, text.sealed, text.event_type) == ("accepted", "", "prefs_number_code")
    [attempt] = PushAttempt.objects.filter(push_id=text.push_id)
    assert (attempt.method, attempt.path, attempt.http_status) == ("POST", "/events", 202)
    assert attempt.request_body["event_data"] == {"mdn": mask(NEW), "code": "(withheld)"}
    assert code not in _our_logs(caplog)
    # The code from the phone's inbox proves the number, as the person types it.
    services.person_prove_number(person=person, code=code, source=Source.PREFERENCE_PAGE)
    assert Person.objects.get(pk=person.pk).pending_mdn == NEW


def test_a_retried_event_carries_the_same_event_id(vibes, published, event_senders, person):
    vibes.add_fault("status", status=503, count=1, path="/events")
    text = _ask(person)
    assert tasks.push_send(text.push_id).startswith("retry 1")
    Push.objects.filter(pk=text.push_id).update(next_attempt_at=timezone.now())
    assert "accepted" in tasks.push_send(text.push_id)
    sent = _events(vibes)
    assert len(sent) == 2 and {e["event_id"] for e in sent} == {text.event_id}
    assert len(vibes.inbox(NEW)) == 1


def test_a_409_to_a_retry_means_vibes_has_the_event_already(
    vibes, published, event_senders, person
):
    text = _ask(person)
    Push.objects.filter(pk=text.push_id).update(attempts=1)
    vibes.add_fault("status", status=409, count=1, path="/events")
    assert "accepted" in tasks.push_send(text.push_id)
    assert Text.objects.get(pk=text.pk).state == Text.State.ACCEPTED


def test_an_event_vibes_refuses_fails_the_text_and_never_keeps_the_code(
    vibes, published, event_senders, person, caplog
):
    caplog.set_level(logging.DEBUG)
    text = _ask(person)
    code = unseal(text.sealed, text.event_id)
    echo = {"errors": [{"message": f"event_data.code {code} not allowed", "code": 4001}]}
    vibes.add_fault("status", status=400, count=1, path="/events", body=echo)

    assert tasks.push_send(text.push_id) == "stopped"

    push = Push.objects.get(pk=text.push_id)
    text.refresh_from_db()
    assert push.state == Push.State.STOPPED and "Vibes refused the event" in push.last_error
    assert text.state == Text.State.FAILED and text.sealed == ""
    assert NumberProof.objects.get(pk=text.proof_id).closed_at is not None
    kept = [push.last_error, text.reason, _our_logs(caplog)]
    kept += [a.error + json.dumps(a.request_body) for a in PushAttempt.objects.all()]
    assert all(code not in what for what in kept)
    assert "(withheld)" in push.last_error


def test_a_code_replaced_or_expired_before_it_went_out_is_not_sent(
    vibes, published, event_senders, person
):
    text = _ask(person)
    NumberProof.objects.filter(pk=text.proof_id).update(expires_at=timezone.now())
    assert tasks.push_send(text.push_id).startswith("not sent")
    assert _events(vibes) == []
    assert Text.objects.get(pk=text.pk).state == Text.State.FAILED


def test_a_link_asked_for_by_number_is_made_when_sent_and_never_kept(
    vibes, published, event_senders, person, caplog
):
    caplog.set_level(logging.DEBUG)
    reference = link_requests.new_reference()
    assert link_requests.request_link(mdn=OLD, reference=reference)
    text = Text.objects.get(person=person)
    assert (text.kind, text.event_id, text.sealed) == ("preference_link", reference, "")

    tasks.push_send(text.push_id)

    [event] = _events(vibes)
    assert (event["event_id"], event["event_type"]) == (reference, "prefs_preference_link")
    link = event["event_data"]["link"]
    assert links.read_token(link.rstrip("/").rsplit("/", 1)[1]) == person
    assert [t["text"] for t in vibes.inbox(OLD)] == [f"Your text preferences: {link}"]
    [attempt] = PushAttempt.objects.filter(push_id=text.push_id)
    assert attempt.request_body["event_data"] == {"mdn": mask(OLD), "link": "(withheld)"}
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in _our_logs(caplog)


def test_an_unset_event_type_stops_the_push_and_fails_the_text(
    vibes, published, event_senders, person, settings
):
    text = _ask(person)
    settings.VIBES_EVENT_TYPE_NUMBER_CODE = ""
    assert tasks.push_send(text.push_id) == "stopped"
    assert _events(vibes) == []
    assert Text.objects.get(pk=text.pk).state == Text.State.FAILED


def test_events_have_their_own_rate_limit_apart_from_the_api(vibes, settings):
    settings.VIBES_RATE_LIMIT = 2.0
    settings.VIBES_EVENT_RATE_LIMIT = 1000.0
    reset_shared_rate_limit()
    client = VibesClient.from_settings()
    started = time.monotonic()
    for n in range(6):
        client.send_event(
            {"event_id": f"r-{n}", "event_type": "prefs_number_code", "event_data": {"mdn": NEW}}
        )
    events_took = time.monotonic() - started
    started = time.monotonic()
    for _ in range(4):
        client.get_lists()
    api_took = time.monotonic() - started
    reset_shared_rate_limit()
    assert events_took < 1.0 <= api_took


def test_a_link_asked_for_long_ago_is_not_sent_late(vibes, published, event_senders, person):
    link_requests.request_link(mdn=OLD, reference=link_requests.new_reference())
    text = Text.objects.get(person=person)
    Text.objects.filter(pk=text.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert tasks.push_send(text.push_id).startswith("not sent: asked for too long ago")
    assert _events(vibes) == [] and vibes.inbox(OLD) == []


def test_a_sealed_code_opens_only_with_the_secret_key_and_its_event_id(settings):
    sealed = seal("004217", "event-a")
    assert unseal(sealed, "event-a") == "004217" and len(sealed) == 6
    assert unseal(sealed, "event-b") != "004217"
    settings.SECRET_KEY = "another-" + "k" * 50
    assert unseal(sealed, "event-a") != "004217"
