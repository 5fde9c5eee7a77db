# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""A new number is pushed as an acquisition-campaign participant, against the simulator.

The task runs in-process (``tasks.push_send``); the broker is replaced by ``published``.
"""

import pytest

from subscribers import services, tasks
from subscribers.models import (
    NumberMove,
    Person,
    Source,
    Subscription,
    SubscriptionEvent,
    SubscriptionList,
)
from subscribers.outbox.models import Push, PushAttempt
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

OLD, NEW = "+12995551234", "+14155550132"
WEEKLY, EVENTS = "2342312", "2342313"


@pytest.fixture
def lists():
    def lst(list_id, name, campaign):
        return services.subscription_list_upsert(
            list_id=list_id, name=name, acquisition_campaign_id=campaign, is_public=True
        )[0]

    return lst("1234", "Weekly deals", WEEKLY), lst("1235", "Store events", EVENTS)


@pytest.fixture
def subscriber(vibes_simulator, lists):
    """Ana: in Vibes with the old number, subscribed to Weekly deals (1234)."""
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {"mobile_phone": {"mdn": OLD}, "external_person_id": "crm-1"}
    )
    state.subscribe(vibes_person, "1234", campaign_id=WEEKLY)
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        external_person_id="crm-1",
        mdn=OLD,
    )
    services.subscription_activate(
        person=person, subscription_list=lists[0], source=Source.VIBES_CALLBACK
    )
    return person


def request_new_number(person, mdn=NEW):
    services.person_request_number(person=person, mdn=mdn, source=Source.PREFERENCE_PAGE)
    return Push.objects.get(person=person, kind=Push.Kind.NUMBER, state=Push.State.PENDING)


def participant_posts(sim):
    return sim.requests(method="POST", path_contains="/participants")


def withdrawal(person):
    return SubscriptionEvent.objects.filter(
        person=person, changes__has_key="pending_mdn", opt_out_reason__gt=""
    ).get()


def test_requesting_a_number_records_a_number_push_and_nothing_else(subscriber, published):
    push = request_new_number(subscriber)
    assert published == [(push.pk, 1.0)]
    assert not Push.objects.exclude(pk=push.pk).exists()  # no details push: mdn unchanged
    # A plain ORM save of another number records one too; clearing it records nothing.
    person = Person.objects.get(pk=subscriber.pk)
    person.pending_mdn = "+14155550199"
    person.save()
    assert Push.objects.filter(kind=Push.Kind.NUMBER).count() == 1  # joined the pending one
    person.pending_mdn = ""
    person.save()
    assert Push.objects.get(kind=Push.Kind.NUMBER).generation == 2


def test_a_number_from_vibes_records_no_push(subscriber, published):
    services.person_update(person=subscriber, source=Source.RECONCILE, pending_mdn=NEW)
    assert not Push.objects.exists() and not published


def test_new_number_goes_to_each_lists_campaign_without_the_external_id_and_waits(
    vibes_simulator, subscriber, lists, published
):
    services.subscription_request(
        person=subscriber, subscription_list=lists[1], source=Source.PREFERENCE_PAGE
    )
    push = request_new_number(subscriber)
    assert run(push).startswith("confirmation text sent to the new number")
    posts = participant_posts(vibes_simulator)
    assert sorted(p["path"].split("/")[-2] for p in posts) == [WEEKLY, EVENTS]
    assert all(p["status"] in (200, 201) for p in posts)
    assert not vibes_simulator.requests(method="PUT")  # never a person update
    pending = vibes_simulator.state.pending(mdn=NEW)
    assert {p.campaign_id for p in pending} == {WEEKLY, EVENTS}
    person = Person.objects.get(pk=subscriber.pk)
    assert (person.mdn, person.pending_mdn) == (OLD, NEW)
    assert Push.objects.get(pk=push.pk).state == Push.State.DONE
    attempts = PushAttempt.objects.filter(push=push)
    assert attempts.count() == 2
    assert all(a.request_body == {"mobile_phone": {"mdn": "+1 ••• ••• 0132"}} for a in attempts)
    assert run(push) == "skipped"  # done: a duplicate delivery sends nothing


def run(push):
    return tasks.push_send(push.pk)


def test_single_opt_in_confirms_at_once_on_the_new_vibes_person(
    vibes_simulator, subscriber, published
):
    vibes_simulator.state.campaigns[WEEKLY].double_opt_in = False
    old_key, old_id = subscriber.person_key, subscriber.vibes_person_id
    push = request_new_number(subscriber)
    assert "confirmed" in run(push)
    person = Person.objects.get(pk=subscriber.pk)
    holder = vibes_simulator.state.person_by_mdn(NEW)
    assert (person.mdn, person.pending_mdn) == (NEW, "")
    assert person.person_key == holder.person_key != old_key
    assert person.vibes_person_id == holder.person_id
    confirmed = SubscriptionEvent.objects.get(person=person, note="new number confirmed")
    assert confirmed.source == Source.PUSH and confirmed.changes["mdn"] == [OLD, NEW]
    assert not Push.objects.filter(kind=Push.Kind.PERSON).exists()  # nothing PUT back
    # What is left is the old number's Vibes record: one push of its own names it.
    retire = Push.objects.get(kind=Push.Kind.OLD_NUMBER)
    assert retire.vibes_person == {"person_key": old_key, "person_id": old_id, "mdn": OLD}
    assert person.sync_state == Person.SyncState.PENDING


def retire_old_number(person):
    """Run the old-number push, then the details push it leaves for the new record."""
    note = run(Push.objects.get(person=person, kind=Push.Kind.OLD_NUMBER))
    details = Push.objects.filter(person=person, kind=Push.Kind.PERSON, state=Push.State.PENDING)
    return note, run(details.get()) if details.exists() else None


@pytest.mark.usefixtures("text_fields")
def test_the_old_numbers_record_gives_up_our_ids_and_lists_and_the_new_one_gets_them(
    vibes_simulator, subscriber, lists, published
):
    """Ana is on three lists with her old number. Weekly deals confirms the new number at
    once (single opt-in); Store events texts it a confirmation she has not answered yet;
    Staff alerts has no web campaign, so the new number cannot join it online."""
    state = vibes_simulator.state
    old_key = subscriber.person_key
    alerts = services.subscription_list_upsert(list_id="1237", name="Staff alerts")[0]
    services.person_update(
        person=subscriber, source=Source.IMPORT, custom_fields={"first_name": "Ana"}
    )
    state.custom_fields.add("first_name")
    state.person(old_key).custom_fields = {"first_name": "Ana"}
    for sub_list, campaign in ((lists[1], EVENTS), (alerts, None)):
        state.subscribe(state.person(old_key), sub_list.list_id, campaign_id=campaign)
        services.subscription_activate(
            person=subscriber, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    Push.objects.all().delete()
    vibes_simulator.state.campaigns[WEEKLY].double_opt_in = False
    run(request_new_number(subscriber))  # Store events: pending; Weekly deals: confirmed

    note, details = retire_old_number(subscriber)
    assert note == (
        "old number's record cleared and unsubscribed from 3 list(s), "
        "1 of them already on the new number"
    )
    old_record = state.person(old_key)
    assert old_record.mdn == OLD  # Vibes keeps the number on it: it cannot be changed
    assert old_record.external_person_id is None
    assert not old_record.custom_fields.get("first_name")
    assert not state.subscriptions_of(old_key)
    # Cleared before the subscriptions ended: Vibes' callbacks about them name no one of ours.
    calls = [(r["method"], r["path"]) for r in vibes_simulator.requests()]
    put = calls.index(("PUT", f"/companies/test-company/mobiledb/persons/{old_key}"))
    assert all(put < i for i, (m, _p) in enumerate(calls) if m == "DELETE")

    # Each list follows the new number's record.
    status = dict(
        Subscription.objects.filter(person=subscriber).values_list(
            "subscription_list__list_id", "status"
        )
    )
    assert status == {"1234": "active", "1235": "pending", "1237": "opted_out"}
    ended = SubscriptionEvent.objects.filter(person=subscriber, subscription_list=alerts).latest(
        "id"
    )
    assert (ended.kind, ended.source, ended.opt_out_reason) == ("opted_out", "push", "api_opt_out")
    assert "cannot join this list online" in ended.note
    waiting = SubscriptionEvent.objects.filter(
        person=subscriber, subscription_list=lists[1]
    ).latest("id")
    assert (waiting.kind, waiting.source) == ("optin_requested", "push")
    assert not Push.objects.filter(kind=Push.Kind.SUBSCRIPTION).exists()  # nothing re-posted

    assert details.startswith("updated"), details
    holder = state.person_by_mdn(NEW)
    assert holder.external_person_id == "crm-1"
    assert holder.custom_fields.get("first_name") == "Ana"
    person = Person.objects.get(pk=subscriber.pk)
    assert person.sync_state == Person.SyncState.IN_SYNC

    # Ana answers Store events' text from the new phone: that list is hers again.
    vibes_simulator.reply(mdn=NEW, text="Y")
    assert [s.list_id for s in state.subscriptions_of(holder.person_key)] == ["1234", "1235"]


def test_a_retirement_cut_short_by_vibes_finishes_on_the_retry(
    vibes_simulator, subscriber, lists, published
):
    state = vibes_simulator.state
    old_key = subscriber.person_key
    state.subscribe(state.person(old_key), "1235", campaign_id=EVENTS)
    services.subscription_activate(
        person=subscriber, subscription_list=lists[1], source=Source.VIBES_CALLBACK
    )
    vibes_simulator.state.campaigns[WEEKLY].double_opt_in = False
    run(request_new_number(subscriber))
    retire = Push.objects.get(kind=Push.Kind.OLD_NUMBER)
    # Weekly deals' DELETE goes through; Store events' (after its local follow-up) meets a
    # 503, and the retry ends what is left.
    vibes_simulator.add_fault("status", method="DELETE", path="/subscriptions/1235", status=503)
    assert run(retire).startswith("retry 1")
    Push.objects.filter(pk=retire.pk).update(next_attempt_at=None)
    assert run(retire) == (
        "old number's record cleared and unsubscribed from 1 list(s), "
        "0 of them already on the new number"
    )
    assert not state.subscriptions_of(old_key)
    status = dict(
        Subscription.objects.filter(person=subscriber).values_list(
            "subscription_list__list_id", "status"
        )
    )
    assert status == {"1234": "active", "1235": "pending"}
    waiting = SubscriptionEvent.objects.filter(person=subscriber, subscription_list=lists[1])
    assert waiting.filter(kind="optin_requested", source="push").count() == 1


def test_retiring_is_safe_to_repeat_and_never_touches_the_new_record(
    vibes_simulator, subscriber, published
):
    vibes_simulator.state.campaigns[WEEKLY].double_opt_in = False
    run(request_new_number(subscriber))
    retire = Push.objects.get(kind=Push.Kind.OLD_NUMBER)
    assert run(retire).startswith("old number's record cleared and unsubscribed from 1 list(s)")
    assert run(retire) == "skipped"  # done: a duplicate delivery sends nothing
    # A retirement that names the person's current record does nothing.
    person = Person.objects.get(pk=subscriber.pk)
    same = Push.objects.create(
        person=person, kind=Push.Kind.OLD_NUMBER, vibes_person={"person_key": person.person_key}
    )
    assert run(same) == "the old record is the person's current one: nothing to retire"
    gone = Push.objects.create(
        person=person, kind=Push.Kind.OLD_NUMBER, vibes_person={"mdn": "+12995550000"}
    )
    assert run(gone) == "the old number is unknown to Vibes: nothing to retire"
    holder = vibes_simulator.state.person_by_mdn(NEW)
    assert [s.list_id for s in vibes_simulator.state.subscriptions_of(holder.person_key)] == [
        "1234"
    ]


def test_409_already_subscribed_counts_as_confirmed(vibes_simulator, subscriber, published):
    state = vibes_simulator.state
    _status, holder = state.person_add({"mobile_phone": {"mdn": NEW}})
    state.subscribe(holder, "1234", campaign_id=WEEKLY)
    push = request_new_number(subscriber)
    assert "already subscribed" in run(push)
    assert participant_posts(vibes_simulator)[0]["status"] == 409
    person = Person.objects.get(pk=subscriber.pk)
    assert (person.mdn, person.pending_mdn) == (NEW, "")
    # The old key names the Vibes person with the old number: never PUT the new one to it.
    assert person.person_key is None and person.vibes_person_id is None
    assert Push.objects.get(pk=push.pk).state == Push.State.DONE


def test_confirmation_block_drops_the_request_with_a_reason_staff_and_page_see(
    vibes_simulator, subscriber, published
):
    vibes_simulator.state.blocks.add((NEW, WEEKLY))
    push = request_new_number(subscriber)
    assert run(push) == "stopped"
    person = Person.objects.get(pk=subscriber.pk)
    assert (person.mdn, person.pending_mdn) == (OLD, "")
    assert person.sync_state == Person.SyncState.ATTENTION
    assert "MDNHASCONFIRMATIONBLOCK" in person.sync_error
    row = withdrawal(person)
    assert (row.opt_out_reason, row.source) == ("confirmation_blocked", Source.PUSH)
    assert "replied “No”" in row.note
    assert Push.objects.get(pk=push.pk).state == Push.State.STOPPED
    assert Subscription.objects.get(person=person).status == Subscription.Status.ACTIVE


def test_a_block_on_one_campaign_still_waits_on_the_others(
    vibes_simulator, subscriber, lists, published
):
    services.subscription_request(
        person=subscriber, subscription_list=lists[1], source=Source.PREFERENCE_PAGE
    )
    vibes_simulator.state.blocks.add((NEW, WEEKLY))
    assert "Store events" in run(request_new_number(subscriber))
    assert Person.objects.get(pk=subscriber.pk).pending_mdn == NEW


def test_a_landline_is_refused_as_vibes_rejected(vibes_simulator, subscriber, published):
    vibes_simulator.state.landlines.add(NEW)
    assert run(request_new_number(subscriber)) == "stopped"
    person = Person.objects.get(pk=subscriber.pk)
    assert person.pending_mdn == "" and withdrawal(person).opt_out_reason == "vibes_rejected"
    assert person.sync_state == Person.SyncState.ATTENTION


def test_400_invalid_number_is_refused_as_not_a_mobile_number(
    vibes_simulator, subscriber, published
):
    vibes_simulator.add_fault("status", method="POST", path="/participants", status=400)
    assert run(request_new_number(subscriber)) == "stopped"
    person = Person.objects.get(pk=subscriber.pk)
    assert withdrawal(person).opt_out_reason == "not_a_mobile_number"
    assert "400" in person.sync_error


def test_a_transient_failure_keeps_the_request_and_retries(vibes_simulator, subscriber, published):
    vibes_simulator.add_fault("status", method="POST", path="/participants", status=503)
    push = request_new_number(subscriber)
    assert run(push).startswith("retry 1")
    assert Person.objects.get(pk=subscriber.pk).pending_mdn == NEW
    Push.objects.filter(pk=push.pk).update(next_attempt_at=None)
    assert run(push).startswith("confirmation text sent")


def test_a_person_on_no_list_confirms_through_the_first_public_list(
    vibes_simulator, lists, published
):
    person = services.person_create(source=Source.ADMIN, external_person_id="crm-9")
    Push.objects.all().delete()  # the create's own details push is not under test
    run(request_new_number(person))
    post = participant_posts(vibes_simulator)[0]
    assert f"/{EVENTS}/" in post["path"]  # "Store events": the first public list by name
    assert len(participant_posts(vibes_simulator)) == 1
    holder = vibes_simulator.state.person_by_mdn(NEW)
    assert holder.external_person_id == "crm-9"  # unknown to Vibes: sent with our id


def test_external_id_held_by_another_vibes_person_is_dropped_and_the_post_repeated(
    vibes_simulator, lists, published
):
    vibes_simulator.state.person_add({"external_person_id": "crm-9"})  # no number in Vibes
    person = services.person_create(source=Source.IMPORT, external_person_id="crm-9")
    note = run(request_new_number(person))
    assert note.startswith("confirmation text sent"), note
    statuses = [p["status"] for p in participant_posts(vibes_simulator)]
    assert statuses == [422, 201]
    assert Person.objects.get(pk=person.pk).pending_mdn == NEW


def test_no_list_to_confirm_through_drops_the_request(vibes_simulator, published):
    SubscriptionList.objects.create(list_id="1237", name="Staff alerts")
    person = services.person_create(source=Source.IMPORT, person_key="k", mdn=OLD)
    assert run(request_new_number(person)) == "stopped"
    assert withdrawal(Person.objects.get(pk=person.pk)).opt_out_reason == "no_list"


def test_after_the_switch_a_detail_push_never_puts_the_new_number_to_the_old_vibes_person(
    vibes_simulator, subscriber, published
):
    state = vibes_simulator.state
    old_key = subscriber.person_key
    _status, holder = state.person_add({"mobile_phone": {"mdn": NEW}})
    state.subscribe(holder, "1234", campaign_id=WEEKLY)
    run(request_new_number(subscriber))  # 409 already subscribed: confirmed, key unknown
    state.custom_fields.add("first_name")
    person = Person.objects.get(pk=subscriber.pk)
    person.custom_fields = {"first_name": "Ana"}
    person.save()
    retire_old_number(person)
    puts = [r["path"] for r in vibes_simulator.requests(method="PUT")]
    assert puts[0].endswith(f"/persons/{old_key}")  # our ids leave the old record first
    assert puts[1:] and all(old_key not in p for p in puts[1:])
    assert puts[-1].endswith(f"/persons/{holder.person_key}")
    person.refresh_from_db()
    assert person.sync_state == Person.SyncState.IN_SYNC
    assert person.person_key == holder.person_key
    assert state.person(old_key).mdn == OLD
    assert state.person_by_mdn(NEW).external_person_id == "crm-1"


ORDERS = "2342314"  # the simulator's single opt-in campaign (simulator/seed.py)


@pytest.fixture
def two_kinds_of_list(vibes_simulator, lists):
    """Ana on Order updates (single opt-in), Store events (double opt-in) and Staff alerts
    (no web campaign), with her old number."""
    orders = services.subscription_list_upsert(
        list_id="1236", name="Order updates", acquisition_campaign_id=ORDERS, is_public=True
    )[0]
    alerts = services.subscription_list_upsert(list_id="1237", name="Staff alerts")[0]
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {"mobile_phone": {"mdn": OLD}, "external_person_id": "crm-1"}
    )
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        external_person_id="crm-1",
        mdn=OLD,
    )
    for sub_list, campaign in ((orders, ORDERS), (lists[1], EVENTS), (alerts, None)):
        state.subscribe(vibes_person, sub_list.list_id, campaign_id=campaign)
        services.subscription_activate(
            person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    Push.objects.all().delete()
    return person


def test_a_number_change_asks_every_lists_campaign_and_keeps_each_list_that_can_move(
    vibes_simulator, two_kinds_of_list, published
):
    person = two_kinds_of_list
    note = run(request_new_number(person))
    # Order updates took the number at once, and Store events was asked all the same.
    posted = sorted(p["path"].split("/")[-2] for p in participant_posts(vibes_simulator))
    assert posted == sorted([ORDERS, EVENTS]), note
    assert {p.campaign_id for p in vibes_simulator.state.pending(mdn=NEW)} == {EVENTS}
    person.refresh_from_db()
    assert (person.mdn, person.pending_mdn) == (NEW, "")
    answers = {
        m.subscription_list.name: (m.outcome, m.reason)
        for m in NumberMove.objects.filter(person=person).select_related("subscription_list")
    }
    assert answers == {
        "Order updates": ("moved", ""),
        "Store events": ("waiting", ""),
        "Staff alerts": ("cannot", "no_campaign"),
    }
    asked = SubscriptionEvent.objects.get(person=person, note__startswith="new number asked")
    assert "Store events: Waits for the reply Y" in asked.note

    retire_old_number(person)
    status = dict(
        Subscription.objects.filter(person=person).values_list("subscription_list__name", "status")
    )
    assert status == {
        "Order updates": "active",
        "Store events": "pending",  # not lost: its text waits for the "Y"
        "Staff alerts": "opted_out",
    }
    vibes_simulator.reply(mdn=NEW, text="Y")
    holder = vibes_simulator.state.person_by_mdn(NEW)
    lists_now = {s.list_id for s in vibes_simulator.state.subscriptions_of(holder.person_key)}
    assert lists_now == {"1236", "1235"}


def test_a_list_whose_campaign_refuses_the_new_number_is_named_and_the_others_still_move(
    vibes_simulator, two_kinds_of_list, published
):
    person = two_kinds_of_list
    vibes_simulator.state.blocks.add((NEW, EVENTS))
    run(request_new_number(person))
    person.refresh_from_db()
    assert person.mdn == NEW
    refused = NumberMove.objects.get(person=person, subscription_list__name="Store events")
    assert (refused.outcome, refused.reason) == ("cannot", "confirmation_blocked")
