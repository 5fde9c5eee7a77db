# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""Erasure keeps suppression: the data goes, the number is never texted again.

Pushes run in-process (``tasks.push_send``) against the simulator; the broker is replaced
by ``published``; callbacks go through the endpoint.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from subscribers import services, suppression, tasks
from subscribers.models import (
    Person,
    Push,
    PushAttempt,
    Source,
    Subscription,
    SubscriptionEvent,
    SubscriptionList,
    SuppressedNumber,
    SuppressionHit,
)
from subscribers.preferences.evidence import Evidence
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

MDN = "+14155550133"
WEEKLY = "2342312"
TOKEN = "cb-token-erasure-0123456789"


@pytest.fixture
def weekly():
    return services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id=WEEKLY, is_public=True
    )[0]


@pytest.fixture
def ana(vibes_simulator, weekly, published):
    """Ana: in Vibes and here, with her name, our id, and a subscription with evidence."""
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {
            "mobile_phone": {"mdn": MDN},
            "external_person_id": "crm-ana",
            "custom_fields": {"first_name": "Ana", "last_name": "Lima"},
        }
    )
    state.subscribe(vibes_person, "1234", campaign_id=WEEKLY)
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        external_person_id="crm-ana",
        mdn=MDN,
        custom_fields={"first_name": "Ana", "last_name": "Lima"},
    )
    services.subscription_activate(
        person=person,
        subscription_list=weekly,
        source=Source.PREFERENCE_PAGE,
        evidence=Evidence(
            ip_address="203.0.113.7", user_agent="Mozilla/5.0 (iPhone)", page="/p/x/"
        ),
    )
    Push.objects.all().delete()
    published.clear()
    return person, vibes_person


def load_extract(tmp_path, row: str) -> None:
    """Load a Subscription Extract of one opt-in ``row`` (its first seven columns)."""
    path = tmp_path / "extract.tsv"
    path.write_text(
        "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
        "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason\n"
        f"{row}\t\tOPT_IN\t\n"
    )
    call_command("vibes_import_extract", str(path), stdout=io.StringIO())


def send_all(published):
    notes = []
    while published:
        push_id, _countdown = published.pop(0)
        notes.append(tasks.push_send(push_id))
    return notes


def test_erasure_wipes_locally_keeps_the_ledger_shape_and_suppresses_the_number(ana):
    person, _ = ana
    callback = CallbackEvent.objects.create(
        method="POST",
        body=json.dumps({"person": {"mobile_phone": {"mdn": MDN}}}),
        payload={"person": {"mobile_phone": {"mdn": MDN}}},
        callback_type="person_updated",
        person=person,
        mdn=MDN,
    )
    result = services.person_erase(person=person, source=Source.ADMIN, note="asked by phone")

    person.refresh_from_db()
    assert (person.mdn, person.external_person_id, person.custom_fields) == ("", None, {})
    assert person.person_key  # Vibes' id stays: later callbacks about it find this record
    assert result.numbers == 1 and result.opted_out == 1 and not result.repeated
    sub = Subscription.objects.get(person=person)
    assert (sub.status, sub.opt_out_reason) == ("opted_out", "erasure")
    rows = list(SubscriptionEvent.objects.filter(person=person).order_by("id").values())
    assert [r["kind"] for r in rows] == [
        "details_changed",
        "opted_in",
        "opted_out",
        "erasure_requested",
    ]
    assert all(r["ip_address"] is None and not r["user_agent"] and not r["page"] for r in rows)
    assert all(r["changes"] == {} for r in rows)
    assert rows[1]["source"] == Source.PREFERENCE_PAGE and rows[1]["subscription_list_id"]
    assert rows[-1]["note"] == "asked by phone"
    callback.refresh_from_db()
    assert (callback.body, callback.payload, callback.mdn) == ("", None, "")
    assert callback.callback_type == "person_updated"
    assert suppression.is_suppressed(MDN)
    assert not SuppressedNumber.objects.filter(number_hash__contains="4155550133").exists()
    assert SuppressedNumber.objects.get().number_hash == suppression.number_hash(MDN)


def test_the_erasure_push_nulls_the_vibes_record_and_ends_its_subscriptions(
    ana, vibes_simulator, published
):
    person, vibes_person = ana
    services.person_erase(person=person, source=Source.ADMIN)
    push = Push.objects.get(person=person, kind=Push.Kind.ERASURE)
    assert push.state == Push.State.PENDING
    notes = send_all(published)
    assert notes == ["erased at Vibes: 1 record(s) nulled, 1 subscription(s) ended"]
    record = vibes_simulator.state.person(vibes_person.person_key)
    assert record.mdn is None and record.external_person_id is None
    assert record.custom_fields == {}
    assert not vibes_simulator.state.active_subscription(vibes_person.person_key, "1234")
    put = PushAttempt.objects.get(method="PUT")
    assert put.request_body == {
        "mobile_phone": {"mdn": None, "carrier_code": None},
        "external_person_id": None,
        "custom_fields": {"first_name": None, "last_name": None},
    }
    push.refresh_from_db()
    assert push.state == Push.State.DONE
    assert MDN not in json.dumps(push.vibes_person)  # the number is not kept on the push
    assert not any(MDN in json.dumps(a.request_body) for a in PushAttempt.objects.all())


def test_a_crash_after_the_local_wipe_leaves_a_push_that_the_sweep_sends(
    ana, vibes_simulator, published
):
    person, vibes_person = ana
    services.person_erase(person=person, source=Source.ADMIN)
    published.clear()  # the worker never got it: the process died after the commit
    assert Push.objects.filter(kind=Push.Kind.ERASURE, state=Push.State.PENDING).exists()
    Push.objects.update(queued_at="2020-01-01T00:00Z")
    tasks.push_sweep()
    assert send_all(published)[0].startswith("erased at Vibes")
    assert vibes_simulator.state.person(vibes_person.person_key).mdn is None


def test_erasing_twice_is_safe_and_sends_the_push_again_when_it_had_stopped(
    ana, vibes_simulator, published
):
    person, vibes_person = ana
    services.person_erase(person=person, source=Source.ADMIN)
    push = Push.objects.get(kind=Push.Kind.ERASURE)
    Push.objects.filter(pk=push.pk).update(state=Push.State.STOPPED, last_error="boom")
    published.clear()
    again = services.person_erase(person=Person.objects.get(pk=person.pk), source=Source.ADMIN)
    assert again.repeated and again.opted_out == 0
    assert Push.objects.filter(kind=Push.Kind.ERASURE).count() == 1
    push.refresh_from_db()
    assert push.state == Push.State.PENDING
    assert MDN in push.vibes_person["mdns"]  # the first run's number is not lost
    assert send_all(published)[0].startswith("erased at Vibes")
    assert SuppressedNumber.objects.count() == 1
    kinds = SubscriptionEvent.objects.filter(person=person, kind="erasure_requested").count()
    assert kinds == 2


def test_the_echo_of_our_unsubscribe_learns_nothing_about_the_erased_person(
    ana, vibes_simulator, published, live_server, settings
):
    person, vibes_person = ana
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{TOKEN}/")
    services.person_erase(person=person, source=Source.ADMIN)
    send_all(published)
    assert vibes_simulator.wait_idle(10)
    # The simulator called back (subscription_removed, person_updated); apply them here.
    events_apply_received()
    person.refresh_from_db()
    assert person.mdn == "" and person.custom_fields == {}
    assert Person.objects.count() == 1
    assert not SuppressionHit.objects.exists()  # our own echo is no sign of the number
    echoes = CallbackEvent.objects.exclude(callback_type="")
    assert {e.callback_type for e in echoes} >= {"subscription_removed"}
    for event in echoes:
        assert event.status == CallbackEvent.Status.APPLIED
        assert MDN not in event.body and MDN.lstrip("+") not in (event.body or "")


def test_a_later_sign_up_with_the_number_is_refused_and_flagged(ana, weekly):
    person, _ = ana
    services.person_erase(person=person, source=Source.ADMIN)
    newcomer = services.person_create(source=Source.ADMIN, mdn=MDN)
    assert (
        services.subscription_request(
            person=newcomer, subscription_list=weekly, source=Source.PREFERENCE_PAGE
        )
        is None
    )
    assert not Subscription.objects.filter(person=newcomer).exists()
    # One row per number for staff: the refused sign-up counts on the open one, whose
    # description stays the applied hit's (the new person).
    hits = list(SuppressionHit.objects.values_list("what", "refused", "source", "tries"))
    assert hits == [("new person", False, Source.ADMIN, 2)]


def test_a_vibes_subscription_for_a_suppressed_number_is_applied_but_flagged(
    ana, weekly, client, settings
):
    person, _ = ana
    services.person_erase(person=person, source=Source.ADMIN)
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    body = {
        "event_id": "ev-resub-1",
        "event_type": "subscription_added",
        "event_date": "2026-11-02T10:00:00Z",
        "subscription": {
            "person": {"person_key": "pk-new-holder", "mobile_phone": {"mdn": MDN}},
            "subscription_list": {"id": "1234"},
            "opt_in_date": "2026-11-02T10:00:00Z",
        },
    }
    with transaction.atomic():
        response = client.post(
            f"/callbacks/vibes/{TOKEN}/", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 200
    events_apply_received()
    newcomer = Person.objects.get(person_key="pk-new-holder")
    assert Subscription.objects.get(person=newcomer).status == Subscription.Status.ACTIVE
    assert SuppressionHit.objects.filter(person=newcomer, refused=False).exists()


def test_suppressed_among_answers_in_one_query():
    SuppressedNumber.objects.create(number_hash=suppression.number_hash(MDN))
    with pytest.raises(ValueError):
        suppression.number_hash("")
    with CaptureQueriesContext(connection) as queries:
        found = suppression.suppressed_among([MDN, "+14155550132", None, "+1 415 555 0133"])
    assert found == {MDN, "+1 415 555 0133"}
    assert len(queries) == 1


def test_the_hash_depends_on_the_suppression_key(settings):
    first = suppression.number_hash(MDN)
    settings.SUPPRESSION_KEY = "another-key-entirely"
    assert suppression.number_hash(MDN) != first
    assert len(first) == 64


def test_person_erase_command(ana, published):
    person, _ = ana
    call_command("person_erase", "--person", str(person.pk), "--note", "email request", "--yes")
    person.refresh_from_db()
    assert person.mdn == ""
    assert SubscriptionList.objects.count() == 1
    assert Push.objects.filter(kind=Push.Kind.ERASURE, state=Push.State.PENDING).exists()


def test_an_extract_row_naming_an_erased_number_is_applied_and_flagged(ana, tmp_path):
    person, _ = ana
    services.person_erase(person=person, source=Source.ADMIN)
    load_extract(tmp_path, f"pkNEW\t\t{MDN}\t104\t1234\tWeekly deals\t2026-11-05 14:30:00 -0600")
    newcomer = Person.objects.get(person_key="pkNEW")
    assert newcomer.pk != person.pk
    hits = list(SuppressionHit.objects.values_list("what", "source", "person_id", "tries"))
    assert hits == [("subscription active", Source.IMPORT, newcomer.pk, 2)]
