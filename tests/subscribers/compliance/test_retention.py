"""Retention: bodies go after RETENTION_BODY_DAYS, consent evidence after
RETENTION_CONSENT_DAYS; the rows (what happened, when) stay. Bounded in batches."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import Push, PushAttempt, Source, SubscriptionEvent
from subscribers.preferences.evidence import Evidence
from subscribers.repair.retention import retention_prune

pytestmark = pytest.mark.django_db

BODY = json.dumps(
    {
        "event_id": "E1",
        "callback_type": "person_updated",
        "person": {"person_key": "pk-1", "mobile_phone": {"mdn": "+14155550160"}},
    }
)


def callback(days_ago: int, status=CallbackEvent.Status.APPLIED) -> CallbackEvent:
    event = CallbackEvent.objects.create(
        method="POST",
        body=BODY,
        headers={"Content-Type": "application/json"},
        payload={"event_id": "E1"},
        callback_type="person_updated",
        event_id=f"E{days_ago}{status}",
        status=status,
        mdn="+14155550160",
        number="+14155550160",
    )
    CallbackEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - timedelta(days=days_ago)
    )
    return event


@pytest.fixture
def person():
    return services.person_create(source=Source.IMPORT, mdn="+14155550160")


def test_old_settled_callback_bodies_are_emptied_and_the_rest_kept():
    old, recent = callback(91), callback(10)
    waiting = callback(200, CallbackEvent.Status.RECEIVED)
    failed = callback(200, CallbackEvent.Status.FAILED)
    result = retention_prune()
    assert result.counts["callback bodies"] == 1 and not result.more
    old.refresh_from_db()
    assert (old.body, old.payload, old.mdn, old.number, old.headers) == ("", None, "", "", {})
    assert old.callback_type == "person_updated" and old.status == "applied"
    for kept in (recent, waiting, failed):
        kept.refresh_from_db()
        assert kept.body == BODY


def test_push_attempt_bodies_are_emptied_after_the_body_retention(person):
    push = Push.objects.create(person=person, kind=Push.Kind.PERSON, state=Push.State.DONE)
    now = timezone.now()
    old = PushAttempt.objects.create(
        push=push, started_at=now - timedelta(days=100), method="PUT", path="/p",
        request_body={"custom_fields": {"first_name": "Ana"}}, http_status=200,
    )  # fmt: skip
    new = PushAttempt.objects.create(
        push=push, started_at=now, method="PUT", path="/p", request_body={"x": 1}
    )
    retired = Push.objects.create(
        person=person,
        kind=Push.Kind.OLD_NUMBER,
        state=Push.State.DONE,
        vibes_person={"mdn": "+14155550161", "person_key": "pk-old"},
    )
    Push.objects.filter(pk=retired.pk).update(queued_at=now - timedelta(days=100))
    retention_prune()
    old.refresh_from_db()
    new.refresh_from_db()
    retired.refresh_from_db()
    assert old.request_body is None and old.http_status == 200
    assert new.request_body == {"x": 1}
    assert retired.vibes_person == {}


def test_consent_evidence_is_kept_four_years_then_emptied(person, lists):
    weekly = lists[0]
    proof = Evidence(ip_address="203.0.113.5", user_agent="Mozilla/5.0", page="/p/t/")
    now = timezone.now()
    for when in (now - timedelta(days=4 * 365 + 10), now - timedelta(days=3 * 365)):
        services.subscription_request(
            person=person,
            subscription_list=weekly,
            source=Source.PREFERENCE_PAGE,
            occurred_at=when,
            evidence=proof,
        )
        services.subscription_cancel(
            person=person, subscription_list=weekly, source=Source.ADMIN, occurred_at=when
        )
    retention_prune()
    rows = SubscriptionEvent.objects.filter(person=person, kind="optin_requested")
    old, recent = rows.order_by("occurred_at")
    assert old.ip_address is None and old.user_agent == "" and old.kind == "optin_requested"
    assert recent.ip_address == "203.0.113.5"


def test_pruning_is_bounded_and_the_command_finishes_the_rest(settings):
    for n in range(5):
        callback(100 + n)
    first = retention_prune(batch=2, max_batches=1)
    assert first.counts["callback bodies"] == 2 and first.more
    call_command("retention_prune", "--batch", "2", stdout=io.StringIO())
    assert not CallbackEvent.objects.exclude(body="").exists()
