"""unmatched_message_received through the endpoint: a text revoking consent opts the number
out of every list and is pushed to Vibes; a near-miss or an unknown number waits for
staff; nothing the phone said is lost."""

from datetime import UTC, datetime

import pytest

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import (
    Person,
    Push,
    RevocationReview,
    Source,
    Subscription,
    SubscriptionEvent,
)

from ..conftest import reference_unmatched, subscription_event
from ..conftest import unmatched_event as text_event

pytestmark = pytest.mark.django_db

ANA = "+13125550123"


@pytest.fixture
def ana(deliver):
    """Ana, known by Vibes' ids, on two lists and waiting to confirm a third."""
    for n, list_id in enumerate(("1234", "1235")):
        person = {
            "id": "123",
            "person_key": "p-abc",
            "external_person_id": "ext-1",
            "mobile_phone": {"mdn": ANA},
        }
        deliver(subscription_event(event_id=f"ADD-{n}", person=person, list_id=list_id))
    person = Person.objects.get()
    third = services.subscription_list_upsert(list_id="1236", name="Order updates")[0]
    services.subscription_request(
        person=person,
        subscription_list=third,
        source=Source.PREFERENCE_PAGE,
        occurred_at=datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
    )
    Push.objects.all().delete()  # the join's own push: not what these tests look at
    return person


def statuses(person):
    return dict(
        Subscription.objects.filter(person=person).values_list(
            "subscription_list__list_id", "status"
        )
    )


def test_a_revocation_text_opts_out_of_every_list_with_the_text_as_evidence(deliver, ana):
    response = deliver(text_event("Opt out please"))
    assert response.status_code == 200
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.status == "applied", event.error
    assert event.person == ana and event.mdn == ANA
    assert event.error == "Revocation by text: opted out of 3 list(s)."
    assert statuses(ana) == {"1234": "opted_out", "1235": "opted_out", "1236": "opted_out"}
    rows = SubscriptionEvent.objects.filter(person=ana, kind="opted_out")
    assert rows.count() == 3
    for row in rows:
        assert row.source == Source.TEXT_MESSAGE
        assert row.wording == "Opt out please"
        assert row.callback == event
        assert row.opt_out_reason == "text_revocation"
        assert row.occurred_at.isoformat() == "2026-12-03T13:00:00+00:00"  # when it was sent
    assert all(s.opt_out_reason == "text_revocation" for s in Subscription.objects.all())


def test_the_opt_outs_of_a_revocation_are_pushed_to_vibes_unlike_vibes_own(deliver, ana):
    deliver(text_event("UNSUBSCRIBE ME"))
    pushes = Push.objects.filter(person=ana, kind=Push.Kind.SUBSCRIPTION, state="pending")
    assert sorted(p.subscription_list.list_id for p in pushes) == ["1234", "1235", "1236"]
    assert Person.objects.get(pk=ana.pk).sync_state == "pending"
    # Vibes' own opt-out (the echo of our push) adds no push.
    Push.objects.all().delete()
    removed = subscription_event(
        "subscription_removed",
        event_id="ECHO",
        event_date="2026-12-03T13:05:00Z",
        person={"id": "123", "person_key": "p-abc", "mobile_phone": {"mdn": ANA}},
        opt_out_reason="api_opt_out",
        opt_out_date="2026-12-03T13:05:00Z",
    )
    deliver(removed)
    assert not Push.objects.exists()
    # The subscription keeps the reason it was ended for: the person's text.
    assert Subscription.objects.get(subscription_list__list_id="1234").opt_out_reason == (
        "text_revocation"
    )


def test_vibes_reference_body_is_read_and_revokes(deliver, ana):
    body = reference_unmatched()
    assert deliver(body).status_code == 200
    event = CallbackEvent.objects.get(callback_type="unmatched_message_received")
    assert event.body == body  # kept as sent
    assert (event.status, event.person, event.mdn) == ("applied", ana, ANA)
    assert event.error == "Revocation by text: opted out of 3 list(s)."
    rows = SubscriptionEvent.objects.filter(person=ana, kind="opted_out")
    assert {(r.wording, r.occurred_at.isoformat()) for r in rows} == {
        ("REVOKE", "2026-12-03T13:00:00+00:00")  # receipt_date: when the phone sent it
    }


def test_vibes_reference_body_with_its_broken_line_is_a_400_and_kept(post, ana):
    body = reference_unmatched(invalid=True)
    assert '"mdn:"+13125550123"' in body
    response = post(body)
    assert response.status_code == 400
    event = CallbackEvent.objects.get(status="rejected")
    assert response.json() == {"detail": event.error, "id": event.pk}
    assert event.error.startswith("The body is not valid JSON")
    assert (event.status, event.body, event.payload) == ("rejected", body, None)
    assert set(statuses(ana).values()) == {"active", "pending"}


@pytest.mark.parametrize(
    "words",
    ["REVOKE", "Opt out please", "darme de baja", "No más mensajes", "Cancelar, gracias"],
)
def test_a_revocation_in_english_or_spanish_opts_the_sender_out(deliver, ana, words):
    deliver(text_event(words))
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.status == "applied" and event.person == ana, event.error
    assert set(statuses(ana).values()) == {"opted_out"}


def test_a_number_in_national_form_names_its_holder(deliver, ana):
    deliver(text_event(mdn="3125550123"))  # as a registration made with API version 1 gets it
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.person == ana and set(statuses(ana).values()) == {"opted_out"}


def test_a_near_miss_waits_for_review_and_changes_nothing(deliver, ana):
    deliver(text_event("please stop texting me"))
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.status == "applied" and "waiting for review" in event.error
    review = RevocationReview.objects.get()
    assert (review.person, review.mdn, review.text) == (ana, ANA, "please stop texting me")
    assert (review.reason, review.state, review.callback) == ("near_miss", "open", event)
    assert set(statuses(ana).values()) == {"active", "pending"}
    assert not Push.objects.exists()


def test_a_revocation_from_a_number_nobody_has_is_kept_for_review(deliver, ana):
    deliver(text_event("REVOKE", mdn="+13125550999"))
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.status == "applied" and event.mdn == "+13125550999" and event.person is None
    assert "Nobody here has this number" in event.error
    review = RevocationReview.objects.get()
    assert (review.reason, review.mdn, review.person) == ("unknown_number", "+13125550999", None)
    assert list(Person.objects.all()) == [ana]
    assert set(statuses(ana).values()) == {"active", "pending"}
    assert not Push.objects.exists()


def test_a_text_about_something_else_changes_nothing(deliver, ana):
    deliver(text_event("What time do you open?"))
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.status == "applied" and event.error == "Not an opt-out: nothing to do."
    assert not RevocationReview.objects.exists()
    assert set(statuses(ana).values()) == {"active", "pending"}


def test_a_repeated_delivery_queues_the_text_once(deliver, ana):
    deliver(text_event("no more"))
    again = deliver(text_event("no more"))
    assert again.json()["status"] == "duplicate"
    assert RevocationReview.objects.count() == 1


def test_a_text_with_no_words_is_not_an_opt_out(deliver, ana):
    deliver(text_event(""))
    assert CallbackEvent.objects.get(event_id="MSG-1").status == "applied"
    assert set(statuses(ana).values()) == {"active", "pending"}


def test_a_stop_from_the_new_number_someone_asked_for_withdraws_only_that_number(deliver, ana):
    services.person_request_number(person=ana, mdn="+13125550177", source=Source.PREFERENCE_PAGE)
    deliver(text_event("Opt out", mdn="+13125550177"))
    ana.refresh_from_db()
    assert ana.pending_mdn == "" and ana.mdn == ANA
    assert set(statuses(ana).values()) == {"active", "pending"}
    withdrawn = SubscriptionEvent.objects.filter(person=ana, changes__has_key="pending_mdn")
    assert withdrawn.last().source == Source.TEXT_MESSAGE


def test_a_revocation_also_withdraws_a_new_number_still_waiting(deliver, ana):
    services.person_request_number(person=ana, mdn="+13125550177", source=Source.PREFERENCE_PAGE)
    deliver(text_event("Cancelar"))
    ana.refresh_from_db()
    assert ana.pending_mdn == "" and set(statuses(ana).values()) == {"opted_out"}


def test_a_join_made_after_the_text_was_sent_stands_and_the_note_says_so(deliver, ana):
    deliver(text_event("REVOKE", receipt_date="2026-12-03T11:00:00+00:00"))  # before the request
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.error == (
        "Revocation by text: opted out of 2 list(s). "
        "1 list(s) changed after the text; kept as they are."
    )
    assert statuses(ana) == {"1234": "opted_out", "1235": "opted_out", "1236": "pending"}


def test_a_revocation_when_no_list_is_open_says_so(deliver, ana):
    deliver(text_event("REVOKE"))
    deliver(text_event("REVOKE", event_id="MSG-2"))
    assert CallbackEvent.objects.get(event_id="MSG-2").error == "Revocation by text: no list open."


NEW = "+13125550177"


def change_number(person, mdn, person_key):
    """``person`` asks for ``mdn`` and the phone confirms it: Vibes holds it on a new record."""
    services.person_request_number(person=person, mdn=mdn, source=Source.PREFERENCE_PAGE)
    assert services.person_confirm_number(person=person, mdn=mdn, person_key=person_key)
    person.refresh_from_db()
    assert person.mdn == mdn


def test_after_a_number_change_the_old_phone_cannot_opt_the_person_out(deliver, ana):
    change_number(ana, NEW, "p-new")
    Push.objects.all().delete()  # the change's own pushes: not what this test looks at
    deliver(text_event("REVOKE", mdn=ANA))
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.person is None and "Nobody here has this number" in event.error
    assert set(statuses(ana).values()) == {"active", "pending"}
    assert not SubscriptionEvent.objects.filter(person=ana, source=Source.TEXT_MESSAGE).exists()
    assert not Push.objects.exists()
    # Staff confirming the queued text later finds nobody holding that number either.
    review = RevocationReview.objects.get()
    with pytest.raises(services.ReviewClosed):
        services.revocation_review_decide(review=review, confirm=True, staff_user=None)
    assert set(statuses(ana).values()) == {"active", "pending"}


def test_a_person_object_in_the_body_does_not_name_the_sender(deliver, ana):
    """Vibes' body names the phone by its number only; ids beside it (say, the Vibes
    record of a number given up) are not who sent the text."""
    change_number(ana, NEW, "p-new")
    body = text_event("REVOKE", mdn=ANA)
    body["person"] = {"id": "123", "person_key": "p-abc", "external_person_id": "ext-1"}
    deliver(body)
    assert set(statuses(ana).values()) == {"active", "pending"}
    assert RevocationReview.objects.get().reason == "unknown_number"


def test_the_current_holder_of_a_given_up_number_is_the_one_opted_out(deliver, ana):
    change_number(ana, NEW, "p-new")
    ben = services.person_create(source=Source.IMPORT, person_key="p-ben", mdn=ANA)
    weekly = services.subscription_list_upsert(list_id="1234")[0]
    services.subscription_activate(
        person=ben,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=datetime(2026, 12, 2, tzinfo=UTC),
    )
    deliver(text_event("Opt out please", mdn=ANA))
    event = CallbackEvent.objects.get(event_id="MSG-1")
    assert event.person == ben, event.error
    assert statuses(ben) == {"1234": "opted_out"}
    assert set(statuses(ana).values()) == {"active", "pending"}


def test_a_text_from_the_new_number_opts_the_person_out_after_the_change(deliver, ana):
    change_number(ana, NEW, "p-new")
    deliver(text_event("darme de baja", mdn=NEW))
    assert CallbackEvent.objects.get(event_id="MSG-1").person == ana
    assert set(statuses(ana).values()) == {"opted_out"}
