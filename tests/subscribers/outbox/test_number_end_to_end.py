"""A subscriber switches number, end to end: page, outbox, a real worker, the simulator,
the person's "Y", Vibes' callbacks to a live server, and the worker applying them."""

import pytest
from django.test import Client

from subscribers import services
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.outbox.models import Push, PushAttempt
from subscribers.preferences import links
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import wait_for
from tests.subscribers.preferences.prefs_helpers import ask_and_prove

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

OLD, NEW = "+12995551234", "+14155550132"
TOKEN = "tok-" + "n" * 40


def test_a_subscriber_switches_number_through_the_confirmation_text(
    celery_worker_process, vibes_simulator, live_server, settings
):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.PUSH_DEBOUNCE_SECONDS = 0.1
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {"mobile_phone": {"mdn": OLD}, "external_person_id": "crm-e2e"}
    )
    state.subscribe(vibes_person, "1234", campaign_id="2342312")
    weekly = services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id="2342312", is_public=True
    )[0]
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        external_person_id="crm-e2e",
        mdn=OLD,
    )
    services.subscription_activate(
        person=person, subscription_list=weekly, source=Source.VIBES_CALLBACK
    )
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{TOKEN}/")
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), PUSH_DEBOUNCE_SECONDS="0.1")
    )
    celery_worker_process.start()

    page = links.preference_path(person)
    response = ask_and_prove(Client(), page, "(415) 555-0132")
    assert "asking each of your lists to move to" in response.content.decode()

    # The simulator logs a request once it has handled it: wait for the log, not the state.
    posted = wait_for(
        lambda: vibes_simulator.requests(method="POST", path_contains="/participants"),
        30,
        "the participant post with the new number",
    )
    assert [r["path"].split("/")[-2] for r in posted] == ["2342312"]
    assert state.pending(mdn=NEW)
    assert Person.objects.get(pk=person.pk).mdn == OLD  # not before the "Y"

    vibes_simulator.reply(mdn=NEW, text="Y")

    def switched():
        p = Person.objects.get(pk=person.pk)
        return p.mdn == NEW and not p.pending_mdn and p.person_key and p

    switched_person = wait_for(switched, 30, "the confirmation callbacks to be applied")
    assert vibes_simulator.wait_idle(10)
    holder = state.person_by_mdn(NEW)
    assert switched_person.person_key == holder.person_key != vibes_person.person_key
    assert list(Person.objects.filter(mdn=NEW)) == [switched_person]  # no duplicate
    notes = list(
        SubscriptionEvent.objects.filter(person=person, changes__has_key="pending_mdn")
        .order_by("occurred_at", "id")
        .values_list("source", "note")
    )
    assert notes == [
        (
            Source.PREFERENCE_PAGE,
            "new number proved by the code texted to it; waits for the confirmation text",
        ),
        (Source.VIBES_CALLBACK, "new number confirmed"),
    ]
    push = Push.objects.get(person=person, kind=Push.Kind.NUMBER)
    assert push.state == Push.State.DONE
    assert PushAttempt.objects.get(push=push).http_status == 201

    # Then the old number's record is retired and the new one gets our external id.
    def retired():
        kinds = Push.objects.filter(person=person, state=Push.State.DONE).values_list(
            "kind", flat=True
        )
        return {Push.Kind.OLD_NUMBER, Push.Kind.PERSON} <= set(kinds)

    wait_for(retired, 30, "the old number's record to be retired and our details pushed")
    assert vibes_simulator.wait_idle(10)
    old_record = state.person(vibes_person.person_key)
    assert old_record.external_person_id is None and old_record.mdn == OLD
    assert not state.subscriptions_of(vibes_person.person_key)
    assert state.person_by_mdn(NEW).external_person_id == "crm-e2e"
    puts = [r["path"] for r in vibes_simulator.requests(method="PUT")]
    assert puts == [
        f"/companies/{state.company_key}/mobiledb/persons/{vibes_person.person_key}",
        f"/companies/{state.company_key}/mobiledb/persons/{holder.person_key}",
    ]
    assert Person.objects.get(pk=person.pk).sync_state == Person.SyncState.IN_SYNC

    # Vibes' callbacks about the old record name no person of ours any more: they are
    # applied as for any Vibes person (its number, opted out), never to this person.
    def old_record_applied():
        return Subscription.objects.filter(
            person__mdn=OLD, subscription_list=weekly, status=Subscription.Status.OPTED_OUT
        ).first()

    ended = wait_for(old_record_applied, 30, "Vibes' callback about the old record")
    assert ended.person_id != person.pk and ended.opt_out_reason == "api_opt_out"
    assert ended.person.person_key == vibes_person.person_key
    mine = Subscription.objects.get(person=person, subscription_list=weekly)
    assert mine.status == Subscription.Status.ACTIVE


def test_a_number_change_keeps_a_single_and_a_double_opt_in_list(
    celery_worker_process, vibes_simulator, live_server, settings
):
    """Ana is on Order updates (its campaign subscribes at once) and Store events (its
    campaign texts for a "Y"). The new number moves Order updates at once, and Store
    events waits for her "Y" instead of ending with the old number."""
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.PUSH_DEBOUNCE_SECONDS = 0.1
    state = vibes_simulator.state
    _status, vibes_person = state.person_add(
        {"mobile_phone": {"mdn": OLD}, "external_person_id": "crm-two"}
    )
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        external_person_id="crm-two",
        mdn=OLD,
    )
    for list_id, name, campaign in (
        ("1236", "Order updates", "2342314"),
        ("1235", "Store events", "2342313"),
    ):
        sub_list = services.subscription_list_upsert(
            list_id=list_id, name=name, acquisition_campaign_id=campaign, is_public=True
        )[0]
        state.subscribe(vibes_person, list_id, campaign_id=campaign)
        services.subscription_activate(
            person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    vibes_simulator.register_callbacks(f"{live_server.url}/callbacks/vibes/{TOKEN}/")
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), PUSH_DEBOUNCE_SECONDS="0.1")
    )
    celery_worker_process.start()

    client = Client()
    page = links.preference_path(person)
    ask_and_prove(client, page, "(415) 555-0132")
    posted = wait_for(
        lambda: (
            len(vibes_simulator.requests(method="POST", path_contains="/participants")) == 2
            and vibes_simulator.requests(method="POST", path_contains="/participants")
        ),
        30,
        "a participant post to each list's campaign",
    )
    assert sorted(r["path"].split("/")[-2] for r in posted) == ["2342313", "2342314"]
    wait_for(lambda: Person.objects.get(pk=person.pk).mdn == NEW, 30, "Order updates to confirm it")
    body = client.get(page).content.decode()
    assert "Order updates: moved to the new number." in body
    assert "Store events: reply Y to the text we sent to" in body

    def retired():
        return Push.objects.filter(
            person=person, kind=Push.Kind.OLD_NUMBER, state=Push.State.DONE
        ).exists()

    wait_for(retired, 30, "the old number's record to be retired")
    store_events = Subscription.objects.get(person=person, subscription_list__list_id="1235")
    assert store_events.status == Subscription.Status.PENDING  # waits for the "Y", not ended
    vibes_simulator.reply(mdn=NEW, text="Y")

    def both_on():
        statuses = set(Subscription.objects.filter(person=person).values_list("status", flat=True))
        return statuses == {Subscription.Status.ACTIVE}

    wait_for(both_on, 30, "Store events' confirmation callbacks to be applied")
    assert vibes_simulator.wait_idle(10)
    holder = state.person_by_mdn(NEW)
    assert {s.list_id for s in state.subscriptions_of(holder.person_key)} == {"1235", "1236"}
    assert not state.subscriptions_of(vibes_person.person_key)
    assert "Store events: moved to the new number." in client.get(page).content.decode()
