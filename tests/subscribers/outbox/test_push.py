# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""What a push does, against the Vibes simulator, with the task run in-process."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from simulator import api
from subscribers import services, tasks
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.outbox.models import Push, PushAttempt
from subscribers.outbox.record import push_record
from subscribers.outbox.states import backoff_seconds
from tests.subscribers.outbox.push_fixtures import add_person, calls, published, vibes  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

MDN = "+12995551234"


@pytest.fixture
def sub_list():
    return services.subscription_list_upsert(
        list_id="1234", name="Deals", acquisition_campaign_id="2342312"
    )[0]


def only_push(person, **kw):
    return Push.objects.get(person=person, **kw)


def run(push):
    return tasks.push_send(push.pk)


@pytest.mark.usefixtures("text_fields")
def test_new_person_is_added_and_its_person_key_kept(vibes, published):
    person = Person.objects.create(mdn=MDN, custom_fields={"first_name": "Ada"})
    push = only_push(person)
    assert published == [(push.pk, 1.0)]
    assert "added" in run(push)
    person.refresh_from_db()
    assert person.person_key and person.person_key in vibes.state.persons
    assert person.sync_state == Person.SyncState.IN_SYNC
    post = calls(vibes, "POST", r"^/mobiledb/persons$")[0]
    assert post.body == {"mobile_phone": {"mdn": MDN}, "custom_fields": {"first_name": "Ada"}}
    # Learning the key went through the services: history, and no push back.
    assert SubscriptionEvent.objects.filter(person=person, source=Source.PUSH).exists()
    assert Push.objects.filter(person=person).count() == 1


@pytest.mark.usefixtures("text_fields")
def test_details_are_put_by_person_key_with_removed_fields_as_null(vibes, published):
    add_person(vibes, person_key="pk1", mdn=MDN, custom_fields={"city": "Austin"})
    person = services.person_create(
        source=Source.IMPORT, person_key="pk1", mdn=MDN, custom_fields={"city": "Austin"}
    )
    assert not Push.objects.exists()  # what came from Vibes is not pushed back
    services.person_update(
        person=person, source=Source.ADMIN, custom_fields={"city": None, "first_name": "Bo"}
    )
    run(only_push(person))
    put = calls(vibes, "PUT")[0]
    assert put.path == "/mobiledb/persons/pk1"
    assert put.body["custom_fields"] == {"first_name": "Bo", "city": None}
    assert vibes.state.persons["pk1"].custom_fields == {"first_name": "Bo"}


def test_without_a_key_the_put_goes_by_external_id(vibes, published):
    person = Person.objects.create(external_person_id="crm-7", mdn=MDN)
    run(only_push(person))
    assert calls(vibes, "PUT")[0].path == "/mobiledb/persons/external/crm-7"
    person.refresh_from_db()
    assert person.person_key


@pytest.mark.usefixtures("text_fields")
def test_put_404_adds_the_person(vibes, published):
    person = services.person_create(source=Source.IMPORT, person_key="gone", mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"a": "1"})
    note = run(only_push(person))
    assert "not found, so added" in note
    assert [c.method for c in calls(vibes)] == ["PUT", "POST"]
    person.refresh_from_db()
    assert person.person_key != "gone"
    assert PushAttempt.objects.filter(push__person=person).count() == 2


def test_409_mdn_cannot_change_stops_and_asks_staff(vibes, published):
    add_person(vibes, person_key="pk1", mdn=MDN)
    # Vibes' 409 with its message (the simulator's own 409 here has no body).
    message = {"errors": [{"message": "MDN cannot be changed", "code": 409}]}
    vibes.add_fault("status", method="PUT", status=409, body=message)
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, mdn="+1 415 555 0132")
    push = only_push(person)
    assert run(push) == "stopped"
    push.refresh_from_db()
    person.refresh_from_db()
    assert push.state == Push.State.STOPPED
    assert person.sync_state == Person.SyncState.ATTENTION
    assert "MDN cannot be changed" in person.sync_error
    assert published == [(push.pk, 1.0)]  # no retry was scheduled
    assert run(push) == "skipped"
    attempt = PushAttempt.objects.get(push=push)
    assert attempt.http_status == 409 and "0132" in str(attempt.request_body)
    assert "5550132" not in str(attempt.request_body)


def test_joining_a_list_adds_a_participant_and_stays_pending(vibes, published, sub_list):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    add_person(vibes, person_key="pk1", mdn=MDN)
    services.subscription_request(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    assert "pending" in run(only_push(person, kind="subscription"))
    call = calls(vibes, "POST", "participants")[0]
    assert call.path == "/campaigns/acquisition/2342312/participants"
    assert call.body == {"mobile_phone": {"mdn": MDN}}
    assert Subscription.objects.get().status == Subscription.Status.PENDING


def test_single_opt_in_campaign_activates(vibes, published, sub_list):
    vibes.state.campaigns["2342312"].double_opt_in = False
    person = services.person_create(source=Source.IMPORT, mdn=MDN)
    services.subscription_request(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    assert run(only_push(person, kind="subscription")) == "subscribed"
    sub = Subscription.objects.get()
    assert sub.status == Subscription.Status.ACTIVE
    assert sub.person.person_key  # learned from the participant answer
    assert SubscriptionEvent.objects.filter(kind="opted_in", source=Source.PUSH).count() == 1


def test_409_already_subscribed_activates(vibes, published, sub_list):
    # Vibes has the number on the list already (subscribed there by keyword).
    vibes.state.subscribe(add_person(vibes, person_key="pk1", mdn=MDN), "1234")
    person = services.person_create(source=Source.IMPORT, mdn=MDN)
    services.subscription_request(person=person, subscription_list=sub_list, source="admin")
    assert run(only_push(person, kind="subscription")) == "already subscribed"
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_confirmation_block_rejects_with_a_readable_reason(vibes, published, sub_list):
    vibes.state.blocks.add((MDN, "2342312"))  # the number replied No to the campaign
    person = services.person_create(source=Source.IMPORT, mdn=MDN)
    services.subscription_request(person=person, subscription_list=sub_list, source="admin")
    push = only_push(person, kind="subscription")
    run(push)
    sub = Subscription.objects.get()
    assert sub.status == Subscription.Status.REJECTED
    assert sub.opt_out_reason == "confirmation_blocked"
    event = SubscriptionEvent.objects.get(kind="optin_rejected")
    assert "text the list's keyword" in event.note
    push.refresh_from_db()
    assert push.state == Push.State.DONE


def test_leaving_a_list_deletes_the_subscription_and_404_counts_as_done(vibes, published, sub_list):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.subscription_activate(
        person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
    )
    services.subscription_cancel(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    add_person(vibes, person_key="pk1", mdn=MDN)  # Vibes has no subscription to end
    assert run(only_push(person, kind="subscription")) == "was not subscribed in Vibes"
    assert calls(vibes, "DELETE")[0].status == 404
    assert calls(vibes, "DELETE")[0].path == "/mobiledb/persons/pk1/subscriptions/1234"
    assert Push.objects.get(kind="subscription").state == Push.State.DONE
    person.refresh_from_db()
    assert person.sync_state == Person.SyncState.IN_SYNC


def test_429_and_5xx_retry_with_backoff_then_fail_visibly(vibes, published, settings):
    settings.PUSH_MAX_ATTEMPTS = 3
    vibes.add_fault("status", method="POST", status=429, retry_after="7")
    vibes.add_fault("status", method="POST", status=503, count=5)
    person = Person.objects.create(mdn=MDN)
    push = only_push(person)
    assert run(push).startswith("retry 1")
    push.refresh_from_db()
    assert push.state == Push.State.PENDING and push.attempts == 1
    assert push.next_attempt_at >= timezone.now() + timezone.timedelta(seconds=6)
    assert published[-1][0] == push.pk and published[-1][1] >= 7
    assert run(push) == "skipped"  # not due yet: an early duplicate does nothing
    Push.objects.filter(pk=push.pk).update(next_attempt_at=None)
    assert run(push).startswith("retry 2")
    Push.objects.filter(pk=push.pk).update(next_attempt_at=None)
    assert run(push) == "failed"
    push.refresh_from_db()
    person.refresh_from_db()
    assert push.state == Push.State.FAILED and "503" in push.last_error
    assert person.sync_state == Person.SyncState.FAILED
    assert PushAttempt.objects.filter(push=push).count() == 3


def test_backoff_is_capped_and_jittered(settings):
    settings.PUSH_MAX_BACKOFF_SECONDS = 30
    values = [backoff_seconds(n) for n in range(1, 12) for _ in range(20)]
    assert max(values) <= 30 and min(values) >= 0
    assert len({round(v, 3) for v in values}) > 100


@pytest.mark.usefixtures("text_fields")
def test_an_edit_during_the_send_is_sent_again(vibes, published, monkeypatch):
    person = Person.objects.create(mdn=MDN)
    push = only_push(person)
    original = api.handle
    edits = []

    def edit_meanwhile(state, credentials, request):
        # Runs in the simulator's request thread: its own database connection, closed
        # here so that it does not outlive the test (it would hold the test database).
        if request.method == "POST" and not edits:
            edits.append(request.path)
            try:
                p = Person.objects.get(pk=person.pk)
                p.custom_fields = {"first_name": "Late"}
                p.save()
            finally:
                connection.close()
        return original(state, credentials, request)

    monkeypatch.setattr(api, "handle", edit_meanwhile)
    assert "sending again" in run(push)
    monkeypatch.setattr(api, "handle", original)
    assert [pid for pid, _ in published] == [push.pk, push.pk]
    run(push)
    push.refresh_from_db()
    assert push.state == Push.State.DONE and push.generation == 2
    key = Person.objects.get(pk=person.pk).person_key
    assert vibes.state.persons[key].custom_fields == {"first_name": "Late"}


@pytest.mark.usefixtures("text_fields")
def test_many_quick_edits_coalesce_into_one_push_and_one_call(vibes, published):
    person = Person.objects.create(mdn=MDN)
    for n in range(20):
        services.person_update(person=person, source=Source.ADMIN, custom_fields={"n": str(n)})
    push = only_push(person)
    assert push.generation == 21 and len(published) == 1
    run(push)
    run(push)  # a duplicate delivery does nothing
    assert len(calls(vibes)) == 1
    assert calls(vibes)[0].body["custom_fields"] == {"n": "19"}


def test_sweep_requeues_pushes_pending_too_long_and_failed_ones_later(vibes, published, settings):
    settings.PUSH_STALE_SECONDS = 60
    person = Person.objects.create(mdn=MDN)
    push = only_push(person)
    assert tasks.push_sweep() == 0
    Push.objects.filter(pk=push.pk).update(queued_at=timezone.now() - timezone.timedelta(hours=1))
    assert tasks.push_sweep() == 1
    Push.objects.filter(pk=push.pk).update(
        state=Push.State.FAILED, updated_at=timezone.now() - timezone.timedelta(hours=2)
    )
    Push.objects.filter(pk=push.pk).update(updated_at=timezone.now() - timezone.timedelta(hours=2))
    assert tasks.push_retry_failed() == 1
    assert "added" in run(push)


def test_a_leased_push_is_not_sent_twice(vibes, published):
    person = Person.objects.create(mdn=MDN)
    push = only_push(person)
    Push.objects.filter(pk=push.pk).update(
        lease_until=timezone.now() + timezone.timedelta(minutes=1)
    )
    assert run(push) == "skipped"
    assert not calls(vibes)


def test_rolled_back_change_records_and_sends_nothing(published):
    with pytest.raises(RuntimeError), transaction.atomic():
        Person.objects.create(mdn=MDN)
        raise RuntimeError
    assert not Push.objects.exists() and not published


def test_a_later_successful_push_clears_the_attention_state(vibes, published):
    add_person(vibes, person_key="pk1", mdn=MDN)
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, mdn="+1 415 555 0132")
    stopped = only_push(person)
    run(stopped)
    vibes.state.persons["pk1"].mdn = "+14155550132"  # staff fixed Vibes
    retry = push_record(person_id=person.pk)  # what the admin's "push now" does
    assert "updated" in run(retry)
    stopped.refresh_from_db()
    person.refresh_from_db()
    assert stopped.state == Push.State.SUPERSEDED
    assert person.sync_state == Person.SyncState.IN_SYNC and person.sync_error == ""


def test_the_campaigns_answer_teaches_the_list_whether_it_texts_a_confirmation(
    vibes, published, sub_list
):
    # The preference page promises "subscribed at once" or "a text to answer" from this.
    assert sub_list.confirms_by_text
    vibes.state.campaigns["2342312"].double_opt_in = False
    first = services.person_create(source=Source.IMPORT, mdn=MDN)
    services.subscription_request(
        person=first, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    assert run(only_push(first, kind="subscription")) == "subscribed"
    sub_list.refresh_from_db()
    assert not sub_list.confirms_by_text

    vibes.state.campaigns["2342312"].double_opt_in = True
    second = services.person_create(source=Source.IMPORT, mdn="+12995551235")
    services.subscription_request(
        person=second, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    assert "pending" in run(only_push(second, kind="subscription"))
    sub_list.refresh_from_db()
    assert sub_list.confirms_by_text
