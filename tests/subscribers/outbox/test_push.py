# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""What a push does, against a fake Vibes, with the task run in-process."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from subscribers import services, tasks
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.outbox.models import Push, PushAttempt
from subscribers.outbox.record import push_record
from subscribers.outbox.states import backoff_seconds
from tests.subscribers.outbox.push_fixtures import fake_vibes, published  # noqa: F401

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
def test_new_person_is_added_and_its_person_key_kept(fake_vibes, published):
    person = Person.objects.create(mdn=MDN, custom_fields={"first_name": "Ada"})
    push = only_push(person)
    assert published == [(push.pk, 1.0)]
    assert "added" in run(push)
    person.refresh_from_db()
    assert person.person_key and person.person_key in fake_vibes.persons
    assert person.sync_state == Person.SyncState.IN_SYNC
    post = fake_vibes.calls("POST", r"^/mobiledb/persons$")[0]
    assert post.body == {"mobile_phone": {"mdn": MDN}, "custom_fields": {"first_name": "Ada"}}
    # Learning the key went through the services: history, and no push back.
    assert SubscriptionEvent.objects.filter(person=person, source=Source.PUSH).exists()
    assert Push.objects.filter(person=person).count() == 1


@pytest.mark.usefixtures("text_fields")
def test_details_are_put_by_person_key_with_removed_fields_as_null(fake_vibes, published):
    fake_vibes.add_person(
        person_key="pk1", mobile_phone={"mdn": MDN}, custom_fields={"city": "Austin"}
    )
    person = services.person_create(
        source=Source.IMPORT, person_key="pk1", mdn=MDN, custom_fields={"city": "Austin"}
    )
    assert not Push.objects.exists()  # what came from Vibes is not pushed back
    services.person_update(
        person=person, source=Source.ADMIN, custom_fields={"city": None, "first_name": "Bo"}
    )
    run(only_push(person))
    put = fake_vibes.calls("PUT")[0]
    assert put.path == "/mobiledb/persons/pk1"
    assert put.body["custom_fields"] == {"first_name": "Bo", "city": None}
    assert fake_vibes.persons["pk1"]["custom_fields"] == {"first_name": "Bo"}


def test_without_a_key_the_put_goes_by_external_id(fake_vibes, published):
    person = Person.objects.create(external_person_id="crm-7", mdn=MDN)
    run(only_push(person))
    assert fake_vibes.calls("PUT")[0].path == "/mobiledb/persons/external/crm-7"
    person.refresh_from_db()
    assert person.person_key


@pytest.mark.usefixtures("text_fields")
def test_put_404_adds_the_person(fake_vibes, published):
    person = services.person_create(source=Source.IMPORT, person_key="gone", mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"a": "1"})
    note = run(only_push(person))
    assert "not found, so added" in note
    assert [c.method for c in fake_vibes.calls()] == ["PUT", "POST"]
    person.refresh_from_db()
    assert person.person_key != "gone"
    assert PushAttempt.objects.filter(push__person=person).count() == 2


def test_409_mdn_cannot_change_stops_and_asks_staff(fake_vibes, published):
    fake_vibes.add_person(person_key="pk1", mobile_phone={"mdn": MDN})
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


def test_joining_a_list_adds_a_participant_and_stays_pending(fake_vibes, published, sub_list):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    fake_vibes.add_person(person_key="pk1", mobile_phone={"mdn": MDN})
    services.subscription_request(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    assert "pending" in run(only_push(person, kind="subscription"))
    call = fake_vibes.calls("POST", "participants")[0]
    assert call.path == "/campaigns/acquisition/2342312/participants"
    assert call.body == {"mobile_phone": {"mdn": MDN}}
    assert Subscription.objects.get().status == Subscription.Status.PENDING


def test_single_opt_in_campaign_activates(fake_vibes, published, sub_list):
    fake_vibes.single_opt_in.add("2342312")
    person = services.person_create(source=Source.IMPORT, mdn=MDN)
    services.subscription_request(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    assert run(only_push(person, kind="subscription")) == "subscribed"
    sub = Subscription.objects.get()
    assert sub.status == Subscription.Status.ACTIVE
    assert sub.person.person_key  # learned from the participant answer
    assert SubscriptionEvent.objects.filter(kind="opted_in", source=Source.PUSH).count() == 1


def test_409_already_subscribed_activates(fake_vibes, published, sub_list):
    fake_vibes.script("POST", "participants", 409, None)
    person = services.person_create(source=Source.IMPORT, mdn=MDN)
    services.subscription_request(person=person, subscription_list=sub_list, source="admin")
    assert run(only_push(person, kind="subscription")) == "already subscribed"
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_confirmation_block_rejects_with_a_readable_reason(fake_vibes, published, sub_list):
    fake_vibes.script(
        "POST",
        "participants",
        422,
        {"errors": [{"message": "MDNHASCONFIRMATIONBLOCK", "code": 422}]},
    )
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


def test_leaving_a_list_deletes_the_subscription_and_404_counts_as_done(
    fake_vibes, published, sub_list
):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.subscription_activate(
        person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
    )
    services.subscription_cancel(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    fake_vibes.script("DELETE", ".", 404, None)
    assert run(only_push(person, kind="subscription")) == "was not subscribed in Vibes"
    assert fake_vibes.calls("DELETE")[0].path == "/mobiledb/persons/pk1/subscriptions/1234"
    assert Push.objects.get(kind="subscription").state == Push.State.DONE
    person.refresh_from_db()
    assert person.sync_state == Person.SyncState.IN_SYNC


def test_429_and_5xx_retry_with_backoff_then_fail_visibly(fake_vibes, published, settings):
    settings.PUSH_MAX_ATTEMPTS = 3
    fake_vibes.script("POST", ".", 429, None, headers={"Retry-After": "7"})
    fake_vibes.script("POST", ".", 503, None, times=5)
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
def test_an_edit_during_the_send_is_sent_again(fake_vibes, published):
    person = Person.objects.create(mdn=MDN)
    push = only_push(person)
    original = fake_vibes._behave

    def edit_meanwhile(method, path, rec):
        # Runs in the fake server's request thread: its own database connection, closed
        # here so that it does not outlive the test (it would hold the test database).
        if not fake_vibes.calls("POST")[1:]:
            try:
                p = Person.objects.get(pk=person.pk)
                p.custom_fields = {"first_name": "Late"}
                p.save()
            finally:
                connection.close()
        return original(method, path, rec)

    fake_vibes._behave = edit_meanwhile
    assert "sending again" in run(push)
    fake_vibes._behave = original
    assert [pid for pid, _ in published] == [push.pk, push.pk]
    run(push)
    push.refresh_from_db()
    assert push.state == Push.State.DONE and push.generation == 2
    key = Person.objects.get(pk=person.pk).person_key
    assert fake_vibes.persons[key]["custom_fields"] == {"first_name": "Late"}


@pytest.mark.usefixtures("text_fields")
def test_many_quick_edits_coalesce_into_one_push_and_one_call(fake_vibes, published):
    person = Person.objects.create(mdn=MDN)
    for n in range(20):
        services.person_update(person=person, source=Source.ADMIN, custom_fields={"n": str(n)})
    push = only_push(person)
    assert push.generation == 21 and len(published) == 1
    run(push)
    run(push)  # a duplicate delivery does nothing
    assert len(fake_vibes.calls()) == 1
    assert fake_vibes.calls()[0].body["custom_fields"] == {"n": "19"}


def test_sweep_requeues_pushes_pending_too_long_and_failed_ones_later(
    fake_vibes, published, settings
):
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


def test_a_leased_push_is_not_sent_twice(fake_vibes, published):
    person = Person.objects.create(mdn=MDN)
    push = only_push(person)
    Push.objects.filter(pk=push.pk).update(
        lease_until=timezone.now() + timezone.timedelta(minutes=1)
    )
    assert run(push) == "skipped"
    assert not fake_vibes.calls()


def test_rolled_back_change_records_and_sends_nothing(published):
    with pytest.raises(RuntimeError), transaction.atomic():
        Person.objects.create(mdn=MDN)
        raise RuntimeError
    assert not Push.objects.exists() and not published


def test_a_later_successful_push_clears_the_attention_state(fake_vibes, published):
    fake_vibes.add_person(person_key="pk1", mobile_phone={"mdn": MDN})
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, mdn="+1 415 555 0132")
    stopped = only_push(person)
    run(stopped)
    fake_vibes.persons["pk1"]["mobile_phone"]["mdn"] = "+14155550132"  # staff fixed Vibes
    retry = push_record(person_id=person.pk)  # what the admin's "push now" does
    assert "updated" in run(retry)
    stopped.refresh_from_db()
    person.refresh_from_db()
    assert stopped.state == Push.State.SUPERSEDED
    assert person.sync_state == Person.SyncState.IN_SYNC and person.sync_error == ""
