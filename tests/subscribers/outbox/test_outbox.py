# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""Signals record pushes for every local way of saving, and never for Vibes' own changes."""

import os
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from subscribers import services
from subscribers.models import Person, PushedFieldWrite, Source, Subscription
from subscribers.outbox import publish
from subscribers.outbox.models import Push
from subscribers.outbox.origin import unpushed
from subscribers.repair import sweeps
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sub_list():
    return services.subscription_list_upsert(list_id="1234", name="Deals")[0]


def test_a_plain_orm_save_of_a_pushed_field_records_a_push(published):
    person = services.person_create(source=Source.IMPORT, person_key="pk1", mdn="+12995551234")
    assert not Push.objects.exists()
    person = Person.objects.get(pk=person.pk)
    person.timezone = "America/Chicago"  # not pushed
    person.save()
    assert not Push.objects.exists()
    person.custom_fields = {"first_name": "Ada"}
    person.save()
    assert Push.objects.get().removed == []
    person.mdn = ""
    person.save()
    push = Push.objects.get()
    assert push.generation == 2 and push.removed == ["mdn"]
    person.refresh_from_db()
    assert person.sync_state == Person.SyncState.PENDING


def test_nested_custom_field_edits_are_detected(published):
    person = Person.objects.create(mdn="+12995551234", custom_fields={"stores": [{"id": 1}]})
    Push.objects.all().delete()
    person = Person.objects.get(pk=person.pk)
    person.custom_fields["stores"][0]["id"] = 2
    person.save()
    assert Push.objects.count() == 1


def test_update_fields_without_pushed_fields_records_nothing(published):
    person = Person.objects.create(mdn="+12995551234")
    Push.objects.all().delete()
    person.custom_fields = {"a": "1"}
    person.save(update_fields=["updated_at"])
    assert not Push.objects.exists()


def test_changes_from_vibes_are_not_pushed_back(published, sub_list):
    person = unpushed(Person(mdn="+12995551234"))
    person.save()
    unpushed(Subscription(person=person, subscription_list=sub_list, status="pending")).save()
    person, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(person_key="pk9", mdn="+12995551299"),
        custom_fields={"a": "b"},
    )
    services.subscription_cancel(
        person=person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
    )
    assert not Push.objects.exists() and not published


def test_wanted_subscription_states_are_pushed_and_others_not(published, sub_list):
    person = services.person_create(source=Source.IMPORT, mdn="+12995551234")
    services.subscription_activate(person=person, subscription_list=sub_list, source="admin")
    assert not Push.objects.filter(kind="subscription").exists()
    services.subscription_cancel(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    services.subscription_request(
        person=person, subscription_list=sub_list, source=Source.PREFERENCE_PAGE
    )
    push = Push.objects.get(kind="subscription")
    assert push.subscription_list == sub_list and push.generation == 2


def test_a_failing_broker_neither_fails_nor_slows_the_save(monkeypatch, settings):
    settings.PUSH_PUBLISH_TIMEOUT = 0.3
    calls = []

    def hang(task, calls_, countdown):
        calls.append(calls_)
        time.sleep(5)

    monkeypatch.setattr(publish, "_send", hang)
    publish.broker_reset()
    try:
        started = time.monotonic()
        first = Person.objects.create(mdn="+12995551234")
        second = Person.objects.create(mdn="+12995551235")
        elapsed = time.monotonic() - started
    finally:
        publish.broker_reset()
    assert elapsed < 1.0
    assert len(calls) == 1  # after one timeout, publishing is skipped for a while
    assert Push.objects.filter(person__in=[first, second], state="pending").count() == 2

    def broken(task, calls_, countdown):
        raise ConnectionError("redis down")

    monkeypatch.setattr(publish, "_send", broken)
    Person.objects.create(mdn="+12995551236")  # does not raise
    publish.broker_reset()


def test_a_starting_worker_frees_only_the_leases_of_this_hosts_dead_processes(published):
    """The start-up sweep (subscribers/repair/sweeps.py): a lease of a process that is
    gone, or naming the starting process's own pid, is freed and its push re-queued; a
    live process's lease and another host's are left alone."""
    host = socket.gethostname()
    dead = subprocess.Popen(["true"])
    dead.wait()
    holders = {
        "dead": f"{host}:{dead.pid}",
        "own pid": f"{host}:{os.getpid()}",
        "alive": f"{host}:{os.getppid()}",
        "other host": f"elsewhere.example:{dead.pid}",
    }
    lease = timezone.now() + timedelta(seconds=150)
    pushes = {}
    for n, (name, owner) in enumerate(holders.items()):
        person = Person.objects.create(mdn=f"+1299555013{n}")
        Push.objects.filter(person=person).update(lease_until=lease, lease_owner=owner)
        pushes[name] = Push.objects.get(person=person).pk
    published.clear()
    assert sweeps.push_sweep(at_start=True) == 2
    assert sorted(pk for pk, _ in published) == sorted([pushes["dead"], pushes["own pid"]])
    still_leased = set(Push.objects.filter(lease_until__isnull=False).values_list("pk", flat=True))
    assert still_leased == {pushes["alive"], pushes["other host"]}


@pytest.mark.parametrize(
    "write",
    [
        lambda rows: rows.update(mdn="+12995550000"),
        lambda rows: rows.update(custom_fields={"a": "1"}),
        lambda rows: rows.bulk_update(list(rows), ["external_person_id"]),
    ],
    ids=["update number", "update custom fields", "bulk_update external id"],
)
def test_a_queryset_write_of_a_pushed_field_is_refused_not_silently_unpushed(published, write):
    person = Person.objects.create(mdn="+12995551234")
    with pytest.raises(PushedFieldWrite):
        write(Person.objects.filter(pk=person.pk))
    person.refresh_from_db()
    assert person.mdn == "+12995551234" and person.custom_fields == {}


def test_a_queryset_write_of_other_fields_goes_through(published):
    person = Person.objects.create(mdn="+12995551234")
    Person.objects.filter(pk=person.pk).update(timezone="Europe/Paris")
    assert Person.objects.get(pk=person.pk).timezone == "Europe/Paris"


def test_a_plain_save_of_a_pushed_field_is_pushed_and_stamped_as_a_local_edit(published):
    person = Person.objects.create(mdn="+12995551234")
    Push.objects.all().delete()
    person.external_person_id = "crm-7"
    person.save()
    assert Push.objects.filter(person=person, kind=Push.Kind.PERSON).count() == 1
    assert set(Person.objects.get(pk=person.pk).local_edits) == {"mdn", "external_person_id"}
