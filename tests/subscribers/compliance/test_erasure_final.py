# ruff: noqa: F811  (fixtures imported from push_fixtures and test_erasure)
"""Erasure is final here whatever Vibes answers: a custom field Vibes does not know
(422) never stops it, nothing Vibes says afterwards (a callback, the drift sweep,
reconcile) is written back, and an erasure Vibes has not completed is a stall until it is.

Pushes run in-process (``tasks.push_send``) against the simulator; callbacks go through
the endpoint and ``events_apply_received``; the drift sweep reads the simulator.
"""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from config.stalls import stall_figures
from subscribers import services
from subscribers.models import (
    CustomField,
    Person,
    Push,
    PushAttempt,
    Source,
    Subscription,
    SubscriptionEvent,
)
from subscribers.repair.drift import drift_sweep
from subscribers.repair.reconcile import person_reconcile
from subscribers.vibes.client import VibesClient
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

from .test_erasure import MDN, TOKEN, ana, load_extract, send_all, weekly  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tier(ana):
    """Staff defined a custom field Vibes does not know yet, and set it on Ana."""
    person, vibes_person = ana
    CustomField.objects.create(key="shoe_size", label="Shoe size")
    services.person_update(
        person=person,
        source=Source.ADMIN,
        custom_fields={"shoe_size": "38"},
    )
    Push.objects.all().delete()
    return person, vibes_person


def post_callback(client, settings, body: dict):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    with transaction.atomic():
        answer = client.post(
            f"/callbacks/vibes/{TOKEN}/", json.dumps(body), content_type="application/json"
        )
    assert answer.status_code in (200, 400), answer.content
    events_apply_received()
    return answer


def person_updated(vibes_person, *, event_id="P-after-erasure"):
    """What Vibes sends about a record it still holds (vibes-api.md §4)."""
    return {
        "event_id": event_id,
        "callback_type": "person_updated",
        "event_date": "2026-12-07T10:00:00Z",
        "person": {
            "person_id": vibes_person.person_id,
            "person_key": vibes_person.person_key,
            "external_person_id": "crm-ana",
            "mobile_phone": {"mdn": MDN, "carrier_code": "104"},
            "custom_fields": {"first_name": "Ana", "last_name": "Lima"},
            "updated_at": "2026-12-07T10:00:00Z",
        },
    }


def assert_erased(person):
    person.refresh_from_db()
    assert (person.mdn, person.carrier_code, person.external_person_id) == ("", "", None)
    assert person.custom_fields == {}
    assert person.erased_at is not None
    assert Subscription.objects.get(person=person).status == Subscription.Status.OPTED_OUT
    after = SubscriptionEvent.objects.filter(person=person, id__gt=erasure_row(person).pk).exclude(
        kind=SubscriptionEvent.Kind.OPTED_OUT
    )
    assert not after.exists(), list(after.values("kind", "source"))


def erasure_row(person):
    return SubscriptionEvent.objects.get(
        person=person, kind=SubscriptionEvent.Kind.ERASURE_REQUESTED
    )


def test_an_erasure_vibes_refuses_for_an_unknown_custom_field_drops_it_and_completes(
    tier, vibes_simulator, published
):
    person, vibes_person = tier
    assert "shoe_size" not in vibes_simulator.state.custom_fields
    services.person_erase(person=person, source=Source.ADMIN)
    notes = send_all(published)

    push = Push.objects.get(person=person, kind=Push.Kind.ERASURE)
    assert push.state == Push.State.DONE, (push.state, push.last_error, notes)
    refused = PushAttempt.objects.filter(push=push, method="PUT", http_status=422)
    assert refused.exists()  # Vibes said "Unknown custom fields" first, as documented
    record = vibes_simulator.state.person(vibes_person.person_key)
    assert (record.mdn, record.external_person_id, record.custom_fields) == (None, None, {})
    assert not vibes_simulator.state.active_subscription(vibes_person.person_key, "1234")
    assert "shoe_size" in push.last_error or any("shoe_size" in n for n in notes if n)


def test_a_person_callback_and_the_drift_sweep_never_write_back_to_an_erased_person(
    tier, vibes_simulator, published, client, settings
):
    """Vibes still holds the whole record (the erasure push has not reached it): what it
    says of the record is never written to the erased person."""
    person, vibes_person = tier
    services.person_erase(person=person, source=Source.ADMIN)
    published.clear()  # the erasure push waits: Vibes keeps the number and the fields
    post_callback(client, settings, person_updated(vibes_person))
    later = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    resubscribed = {  # a keyword texted at Vibes, after the erasure
        "event_id": "S-after-erasure",
        "callback_type": "subscription_added",
        "event_date": later,
        "subscription": {
            "person": {
                "id": vibes_person.person_id,
                "person_key": vibes_person.person_key,
                "mobile_phone": {"mdn": MDN},
            },
            "subscription_list": {"id": "1234"},
            "opt_in_date": later,
        },
    }
    post_callback(client, settings, resubscribed)
    cache.clear()
    Person.objects.filter(pk=person.pk).update(last_change_at=erasure_row(person).occurred_at)
    result = drift_sweep(client=VibesClient.from_settings(), budget=100, seconds=5)
    reconciled = person_reconcile(
        person=Person.objects.get(pk=person.pk), client=VibesClient.from_settings()
    )

    assert_erased(person)
    assert Person.objects.count() == 1
    assert not result.changed and not reconciled.changed
    assert vibes_simulator.state.person(vibes_person.person_key).mdn == MDN  # still there
    for event in CallbackEvent.objects.filter(event_id__in=["P-after-erasure", "S-after-erasure"]):
        assert (event.body, event.payload, event.mdn, event.number) == ("", None, "", "")


def test_an_erasure_vibes_has_not_completed_is_a_stall_until_it_is(
    ana, published, client, settings, admin_client
):
    person, _ = ana
    settings.STALL_PUSH_SECONDS = 0
    settings.MONITORING_TOKEN = "monitor-" + "e" * 32
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {settings.MONITORING_TOKEN}"
    services.person_erase(person=person, source=Source.ADMIN)

    stalls = client.get("/healthz/stalls")
    assert stalls.status_code == 503
    assert stalls.json()["erasures_unfinished"] == 1
    assert "erasures_unfinished" in stalls.json()["problems"]
    metrics = client.get("/metrics").content.decode()
    assert "vibes_erasures_unfinished 1.0" in metrics
    assert 'vibes_stall_problems{figure="erasures_unfinished"} 1.0' in metrics
    assert "Erasures Vibes has not completed" in admin_client.get("/admin/").content.decode()
    (figure,) = [f for f in stall_figures() if f.key == "erasures_unfinished"]
    behind = admin_client.get(figure.url)
    assert behind.status_code == 200 and list(behind.context["cl"].result_list) == [
        Push.objects.get(person=person, kind=Push.Kind.ERASURE)
    ]

    send_all(published)
    stalls = client.get("/healthz/stalls").json()
    assert stalls["erasures_unfinished"] == 0
    assert "erasures_unfinished" not in stalls["problems"]
    assert "Erasures Vibes has not completed" not in admin_client.get("/admin/").content.decode()


def test_an_extract_row_naming_the_erased_person_writes_nothing_to_them(ana, tmp_path):
    """Vibes' daily extract still lists the erased record (the push not done yet): an
    opt-in row for it, with the number, neither re-subscribes nor re-numbers them."""
    person, _vibes_person = ana
    services.person_erase(person=person, source=Source.ADMIN)
    joined = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S +0000")
    load_extract(
        tmp_path, f"{person.person_key}\tcrm-ana\t{MDN}\t104\t1234\tWeekly deals\t{joined}"
    )
    assert_erased(person)
    assert Person.objects.count() == 1
