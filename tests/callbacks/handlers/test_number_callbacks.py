"""Callbacks for a number someone asked to switch to: same local person, never a duplicate.

Vibes keeps the new number on a Vibes person of its own (a person's number never
changes), so these events name a person id and key we have never seen.
"""

import pytest

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.outbox.models import Push

from ..conftest import ack_event, person_event, subscription_event

pytestmark = pytest.mark.django_db

OLD, NEW = "+12995551234", "+14155550132"
NEW_HOLDER = {
    "id": "777001",
    "external_id": None,
    "mobile_phone": {"mdn": NEW},
    "url": "/companies/:id/mobiledb/persons/777001",
}


@pytest.fixture
def ana():
    weekly = services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id="2342312"
    )[0]
    person = services.person_create(
        source=Source.IMPORT,
        person_key="pk-ABC123",
        vibes_person_id="ABC123",
        external_person_id="ex1234",
        mdn=OLD,
    )
    services.subscription_activate(
        person=person,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=None,
    )
    services.person_request_number(person=person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    Push.objects.all().delete()
    return person


def ack_for_new_number(status, event_id):
    body = ack_event(status, event_id=event_id)
    body["participant"]["person"] = dict(NEW_HOLDER)
    body["event_date"] = "2030-01-01T10:00:00Z"
    body["participant"]["participation_date"] = "2030-01-01T09:59:00Z"
    return body


def added_for_new_number(event_id="S-NEW"):
    return subscription_event(
        event_id=event_id,
        event_date="2030-01-01T10:00:05Z",
        person={**NEW_HOLDER, "person_key": "pk-NEW"},
        opt_in_date="2030-01-01T10:00:05Z",
    )


def reload(person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_pending_ack_for_the_new_number_changes_nothing(deliver, ana):
    deliver(ack_for_new_number("PENDING", "A-1"))
    assert CallbackEvent.objects.get().status == "applied"
    person = reload(ana)
    assert (person.mdn, person.pending_mdn, person.vibes_person_id) == (OLD, NEW, "ABC123")
    assert Person.objects.count() == 1
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_confirmed_ack_with_a_new_vibes_person_confirms_on_the_same_local_person(deliver, ana):
    deliver(ack_for_new_number("CONFIRMED", "A-2"))
    event = CallbackEvent.objects.get()
    assert event.status == "applied", event.error
    assert event.person_id == ana.pk
    person = reload(ana)
    assert Person.objects.count() == 1
    assert (person.mdn, person.pending_mdn) == (NEW, "")
    # The new number's Vibes person; the old key (its own number) is dropped, so no
    # detail push can PUT the new number to it.
    assert (person.vibes_person_id, person.person_key) == ("777001", None)
    confirmed = SubscriptionEvent.objects.get(person=person, note="new number confirmed")
    assert confirmed.source == Source.VIBES_CALLBACK and confirmed.callback_id == event.pk
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE
    # What came from Vibes is not pushed back; only the old number's record is retired.
    retire = Push.objects.get()
    assert retire.kind == Push.Kind.OLD_NUMBER
    assert retire.vibes_person == {"person_key": "pk-ABC123", "person_id": "ABC123", "mdn": OLD}

    # Then subscription_added for the new number: same person, key learned.
    deliver(added_for_new_number())
    person = reload(ana)
    assert Person.objects.count() == 1
    assert person.person_key == "pk-NEW"
    assert CallbackEvent.objects.get(event_id="S-NEW").person_id == ana.pk
    assert list(Push.objects.all()) == [retire]  # nothing of Vibes' own pushed back


def test_subscription_added_arriving_before_the_ack_confirms_too(deliver, ana):
    deliver(added_for_new_number())
    person = reload(ana)
    assert Person.objects.count() == 1
    assert (person.mdn, person.pending_mdn, person.person_key) == (NEW, "", "pk-NEW")
    deliver(ack_for_new_number("CONFIRMED", "A-3"))
    assert Person.objects.count() == 1
    assert CallbackEvent.objects.get(event_id="A-3").person_id == ana.pk


def test_person_added_for_the_new_numbers_vibes_person_is_not_applied(deliver, ana):
    deliver(
        person_event(
            "person_added",
            event_id="P-NEW",
            person_id="777001",
            person_key="pk-NEW",
            external_person_id=None,
            mobile_phone={"mdn": NEW},
            custom_fields={},
        )
    )
    event = CallbackEvent.objects.get()
    assert event.status == "ignored" and "new number" in event.error
    person = reload(ana)
    assert Person.objects.count() == 1
    assert (person.mdn, person.pending_mdn, person.person_key) == (OLD, NEW, "pk-ABC123")


def test_rejected_ack_for_the_new_number_drops_the_request_and_keeps_the_list(deliver, ana):
    deliver(ack_for_new_number("REJECTED", "A-4"))
    person = reload(ana)
    assert (person.mdn, person.pending_mdn) == (OLD, "")
    row = SubscriptionEvent.objects.get(person=person, opt_out_reason="replied_no")
    assert row.changes == {"pending_mdn": [NEW, ""]} and row.source == Source.VIBES_CALLBACK
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE  # old number stays
    assert Person.objects.count() == 1


def test_a_confirmed_ack_for_another_number_is_not_a_number_change(deliver, ana):
    body = ack_for_new_number("CONFIRMED", "A-5")
    body["participant"]["person"]["mobile_phone"] = {"mdn": "+14155550100"}
    deliver(body)
    person = reload(ana)
    assert (person.mdn, person.pending_mdn) == (OLD, NEW)
    assert Person.objects.count() == 2  # a different person, as before this change
