from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from callbacks.apply import event_apply, events_apply_received
from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import (
    Person,
    Push,
    Source,
    Subscription,
    SubscriptionEvent,
    SubscriptionList,
)

from ..conftest import ack_event, person_event, subscription_event

pytestmark = pytest.mark.django_db


def only_subscription():
    return Subscription.objects.select_related("person", "subscription_list").get()


def test_subscription_added_creates_person_list_and_active_subscription_with_history(deliver):
    deliver(subscription_event())
    event = CallbackEvent.objects.get()
    assert event.status == "applied", event.error
    sub = only_subscription()
    assert sub.status == "active"
    assert sub.opt_in_date == datetime(2017, 1, 15, 15, 34, 52, tzinfo=UTC)
    assert sub.acquisition_campaign_id == "2342312"
    assert sub.last_event_at == datetime(2017, 2, 15, 15, 42, 23, tzinfo=UTC)
    assert sub.subscription_list.name == "Vibes list 1234"
    person = sub.person
    assert (person.person_key, person.vibes_person_id, person.external_person_id) == (
        "pk-ABC123",
        "ABC123",
        "ex1234",
    )
    assert person.mdn == "+12995551234"  # unassigned area code, kept as Vibes sent it
    opted_in = SubscriptionEvent.objects.get(kind="opted_in")
    assert (opted_in.source, opted_in.callback_id) == ("vibes_callback", event.pk)
    assert opted_in.acquisition_campaign_id == "2342312"
    assert event.person == person


def test_subscription_added_finds_a_known_person_by_external_id_and_learns_vibes_ids(deliver):
    known = services.person_create(
        source=Source.ADMIN, external_person_id="ex1234", mdn="+14155550132"
    )
    deliver(subscription_event())
    assert Person.objects.get() == known
    known.refresh_from_db()
    assert (known.person_key, known.vibes_person_id) == ("pk-ABC123", "ABC123")
    assert known.mdn == "+14155550132"  # a number already known is not replaced


def test_subscription_added_uses_the_list_already_known(deliver):
    services.subscription_list_upsert(list_id="1234", name="Deals")
    deliver(subscription_event())
    assert only_subscription().subscription_list.name == "Deals"
    assert SubscriptionList.objects.count() == 1


def test_subscription_added_without_event_date_falls_back_on_opt_in_date(deliver):
    body = subscription_event()
    del body["event_date"]
    deliver(body)
    assert only_subscription().last_event_at == datetime(2017, 1, 15, 15, 34, 52, tzinfo=UTC)


def test_subscription_removed_opts_out_with_date_and_reason(deliver):
    deliver(subscription_event())
    deliver(
        subscription_event(
            "subscription_removed", event_id="EVT-2", event_date="2017-03-15T15:42:23Z"
        )
    )
    sub = only_subscription()
    assert sub.status == "opted_out" and sub.opt_out_reason == "user_opt_out"
    assert sub.opt_out_date == datetime(2017, 2, 18, 15, 34, 52, tzinfo=UTC)
    kinds = list(
        SubscriptionEvent.objects.exclude(kind="details_changed").order_by("id").values_list("kind")
    )
    assert kinds == [("opted_in",), ("opted_out",)]


def test_an_unknown_opt_out_reason_is_kept_as_sent(deliver):
    deliver(subscription_event("subscription_removed", opt_out_reason="carrier_deactivation"))
    assert only_subscription().opt_out_reason == "carrier_deactivation"


def test_older_optin_does_not_undo_newer_optout_and_is_kept_as_superseded(deliver):
    deliver(
        subscription_event("subscription_removed", event_id="E2", event_date="2017-03-01T00:00Z")
    )
    deliver(subscription_event(event_id="E1", event_date="2017-02-01T00:00Z"))
    assert only_subscription().status == "opted_out"
    late = CallbackEvent.objects.get(event_id="E1")
    assert late.status == "superseded"
    assert SubscriptionEvent.objects.get(callback=late).superseded is True


def test_person_updated_applies_custom_fields_number_carrier_timezone_and_vibes_dates(deliver):
    person = services.person_create(source=Source.ADMIN, external_person_id="EXT542342")
    deliver(person_event(custom_fields={"first_name": "John", "color": None}))
    person.refresh_from_db()
    assert person.custom_fields == {"first_name": "John"}
    assert person.mdn == "+12995551234" and person.carrier_code == "102"
    assert person.timezone == "America/Chicago"
    assert person.person_key == "pk-ABC123" and person.vibes_person_id == "ABC123"
    assert person.vibes_updated_at == datetime(2017, 2, 15, 15, 42, 23, tzinfo=UTC)
    assert person.last_change_source == "vibes_callback"
    assert CallbackEvent.objects.get().status == "applied"


def test_person_added_creates_an_unknown_person(deliver):
    deliver(person_event("person_added", person_key=None, created_date="2017-01-15T15:34:52Z"))
    person = Person.objects.get()
    assert person.vibes_person_id == "ABC123" and person.external_person_id == "EXT542342"
    assert person.vibes_created_at == datetime(2017, 1, 15, 15, 34, 52, tzinfo=UTC)
    assert person.custom_fields == {"first_name": "John", "last_name": "Doe"}


def test_nothing_applied_from_a_callback_is_pushed_back(post):
    """Every save the handlers make is marked as coming from Vibes (outbox/origin.py), so
    no push is recorded. (A batch saves in bulk and fires no signal at all:
    tests/callbacks/test_batch.py.)"""
    post(person_event())
    events_apply_received(batch=0)
    post(subscription_event())
    events_apply_received(batch=0)
    assert Person.objects.exists() and Subscription.objects.exists()
    assert not Push.objects.exists()


def test_an_older_person_update_does_not_restore_stale_details(deliver):
    deliver(person_event(event_id="P2", updated_at="2017-03-01T00:00Z", timezone="Europe/Paris"))
    deliver(person_event(event_id="P1", updated_at="2017-02-01T00:00Z", timezone="America/Chicago"))
    person = Person.objects.get()
    assert person.timezone == "Europe/Paris"
    assert CallbackEvent.objects.get(event_id="P1").status == "superseded"


def test_person_added_records_one_history_row_for_a_new_person(deliver):
    deliver(person_event("person_added"))
    rows = SubscriptionEvent.objects.filter(kind="details_changed")
    assert rows.count() == 1
    assert rows.get().changes["custom_fields"][1] == {"first_name": "John", "last_name": "Doe"}


@pytest.mark.parametrize("kind", ["subscription_list_added", "subscription_list_updated"])
def test_list_callbacks_upsert_the_list(deliver, kind):
    services.subscription_list_upsert(list_id="1234")
    deliver(
        {
            "event_id": f"L-{kind}",
            "callback_type": kind,
            "subscription_list": {"id": "1234", "name": "Deals"},
        }
    )
    assert SubscriptionList.objects.get().name == "Deals"


@pytest.fixture
def web_list():
    return services.subscription_list_upsert(
        list_id="1234", name="Deals", acquisition_campaign_id="2342312"
    )[0]


def test_ack_added_makes_the_subscription_pending_then_confirmed_active(deliver, web_list):
    deliver(ack_event("PENDING", event_id="A1", event_date="2017-02-15T15:39:00Z"))
    assert only_subscription().status == "pending"
    deliver(ack_event("CONFIRMED", event_id="A2"))
    sub = only_subscription()
    assert sub.status == "active" and sub.subscription_list == web_list
    kinds = list(
        SubscriptionEvent.objects.exclude(kind="details_changed").order_by("id").values_list("kind")
    )
    assert kinds == [("optin_requested",), ("optin_confirmed",)]


def test_history_reads_requested_then_confirmed_then_opted_in(deliver, web_list):
    deliver(ack_event("PENDING", event_id="A1", event_date="2017-02-15T15:39:00Z"))
    deliver(ack_event("CONFIRMED", event_id="A2", event_date="2017-02-15T15:40:00Z"))
    deliver(subscription_event(event_id="S1", event_date="2017-02-15T15:42:23Z"))
    assert only_subscription().status == "active"
    kinds = list(
        SubscriptionEvent.objects.exclude(kind="details_changed")
        .order_by("occurred_at", "id")
        .values_list("kind", "source")
    )
    assert kinds == [
        ("optin_requested", "vibes_callback"),
        ("optin_confirmed", "vibes_callback"),
        ("opted_in", "vibes_callback"),
    ]


def test_a_late_pending_ack_does_not_undo_the_confirmation(deliver, web_list):
    deliver(ack_event("CONFIRMED", event_id="A2"))
    deliver(ack_event("PENDING", event_id="A1", event_date="2017-02-15T15:39:00Z"))
    assert only_subscription().status == "active"
    assert CallbackEvent.objects.get(event_id="A1").status == "superseded"


def test_ack_rejected_marks_the_request_rejected(deliver, web_list):
    deliver(ack_event("PENDING", event_id="A1", event_date="2017-02-15T15:39:00Z"))
    deliver(ack_event("REJECTED", event_id="A2"))
    assert only_subscription().status == "rejected"
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}


def test_ack_example_with_disagreeing_types_follows_the_participant_status(deliver, web_list):
    body = ack_event("CONFIRMED", callback_type="ack_participant_added")
    body["event_type"] = "ack_participant_changed"
    deliver(body)
    assert CallbackEvent.objects.get().callback_type == "ack_participant_changed"
    assert only_subscription().status == "active"


def test_ack_for_a_campaign_no_list_has_is_ignored_with_an_explanation_and_replayable(deliver):
    deliver(ack_event("CONFIRMED", campaign="999"))
    event = CallbackEvent.objects.get()
    assert event.status == "ignored" and "999" in event.error
    assert not Subscription.objects.exists() and not Person.objects.exists()
    services.subscription_list_upsert(list_id="77", acquisition_campaign_id="999")
    assert event_apply(event_id=event.pk).status == "applied"
    assert only_subscription().status == "active"


def test_an_event_naming_no_list_is_rejected_with_the_reason_not_failed(deliver):
    body = subscription_event()
    del body["subscription"]["subscription_list"]
    assert deliver(body).status_code == 200
    event = CallbackEvent.objects.get()
    assert event.status == "rejected" and "subscription list" in event.error
    assert not Subscription.objects.exists() and not Person.objects.exists()


def test_a_handler_failure_is_stored_as_failed_with_its_error_and_rolled_back(
    deliver, monkeypatch, settings
):
    settings.CALLBACK_APPLY_BATCH = 0  # through the handler (a failing batch: test_batch.py)

    def broken(**kwargs):
        raise RuntimeError("database said no")

    monkeypatch.setattr(services, "subscription_activate", broken)
    assert deliver(subscription_event()).status_code == 200
    event = CallbackEvent.objects.get()
    assert event.status == "failed" and "RuntimeError: database said no" in event.error
    assert event.attempts == 1
    assert not Person.objects.exists()  # the handler's writes were rolled back


def test_the_replay_command_applies_failed_events_and_summarises(
    deliver, monkeypatch, capsys, settings
):
    settings.CALLBACK_APPLY_BATCH = 0  # the failure comes from the handler's service
    monkeypatch.setattr(services, "subscription_activate", lambda **kw: 1 / 0)
    deliver(subscription_event(event_id="E1"))
    deliver(subscription_event(event_id="E2", person={"id": "OTHER"}))
    monkeypatch.undo()
    call_command("vibes_replay_callbacks")
    out = capsys.readouterr().out
    assert "Replayed 2 callbacks: 2 applied." in out
    assert Subscription.objects.filter(status="active").count() == 2
    assert set(CallbackEvent.objects.values_list("attempts", flat=True)) == {2}
    call_command("vibes_replay_callbacks")
    assert "Replayed 0 callbacks: nothing." in capsys.readouterr().out


def test_the_replay_command_with_received_applies_events_left_waiting(post, capsys):
    post(subscription_event())
    assert CallbackEvent.objects.get().status == "received"
    call_command("vibes_replay_callbacks", "--received")
    assert "1 received applied" in capsys.readouterr().out
    assert CallbackEvent.objects.get().status == "applied"


def test_applying_twice_changes_nothing_the_second_time(deliver):
    deliver(subscription_event())
    event = CallbackEvent.objects.get()
    history = SubscriptionEvent.objects.count()
    assert event_apply(event_id=event.pk).attempts == 1
    assert SubscriptionEvent.objects.count() == history


def test_a_number_sent_in_national_format_is_normalised_when_applied(deliver):
    person = {"id": "ABC123", "mobile_phone": {"mdn": "299-555-1234"}}
    deliver(subscription_event(person=person))
    event = CallbackEvent.objects.get()
    assert event.mdn == "+12995551234" and event.person.mdn == "+12995551234"
