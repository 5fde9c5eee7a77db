"""Registrations follow the account (callbacks/follow.py, callbacks.tasks.callbacks_register):
a new list asks the worker for its callbacks after the commit, the run makes them at the
simulator, and the daily run re-creates a registration deleted in Vibes' UI."""

import json

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from callbacks import follow, tasks
from callbacks.apply import events_apply_received
from callbacks.models import CallbackRegistration
from subscribers import services
from subscribers.outbox import publish
from subscribers.repair.lists import lists_sync
from subscribers.vibes import VibesClient

from .conftest import TOKEN

pytestmark = pytest.mark.django_db

BASE = "https://prefs.example.com"
URL = f"{BASE}/callbacks/vibes/{TOKEN}/"


@pytest.fixture
def published(monkeypatch):
    calls = []
    publish.broker_reset()
    monkeypatch.setattr(
        publish, "_send", lambda task, args, countdown: calls.append((task, countdown)) or 1
    )
    yield calls
    publish.broker_reset()


@pytest.fixture
def account(settings, vibes_simulator):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.VIBES_CALLBACK_BASE_URL = BASE
    return vibes_simulator


def _list_added(list_id: str, name: str, event_id: str) -> dict:
    """subscription_list_added as vibes-api.md §4 describes it: the envelope and a
    ``subscription_list`` object."""
    return {
        "event_id": event_id,
        "callback_type": "subscription_list_added",
        "event_type": "subscription_list_added",
        "event_date": "2026-12-07T10:00:00Z",
        "subscription_list": {
            "id": list_id,
            "name": name,
            "url": f"/companies/test-company/mobiledb/subscription_lists/{list_id}",
        },
    }


def _opt_outs_of(sim, list_id: str) -> list:
    with sim.state.lock:
        return [
            c
            for c in sim.state.callbacks.values()
            if c.callback_type == "subscription_removed" and c.filter.get("list_id") == list_id
        ]


def test_new_lists_by_callback_ask_for_one_registration_run_after_the_commit(
    published, django_capture_on_commit_callbacks
):
    client = Client()
    for n, list_id in enumerate(("4001", "4002", "4003")):
        response = client.post(
            f"/callbacks/vibes/{TOKEN}/",
            data=json.dumps(_list_added(list_id, f"New {n}", f"L-{n}")),
            content_type="application/json",
        )
        assert response.status_code == 200
    assert published == []  # nothing from the request
    with django_capture_on_commit_callbacks(execute=False) as pending:
        events_apply_received()
    assert published == []  # nothing inside the handler's transaction either
    for callback in pending:
        callback()
    assert published == [(follow.REGISTER_TASK, follow.REGISTER_DELAY)]


def test_an_updated_list_we_know_asks_for_nothing(published, django_capture_on_commit_callbacks):
    services.subscription_list_upsert(list_id="4001", name="Old name")
    body = {**_list_added("4001", "New name", "U-1"), "callback_type": "subscription_list_updated"}
    body["event_type"] = "subscription_list_updated"
    Client().post(
        f"/callbacks/vibes/{TOKEN}/", data=json.dumps(body), content_type="application/json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        events_apply_received()
    assert published == []


def test_sync_lists_that_finds_a_new_list_asks_for_a_registration_run(
    account, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        counts = lists_sync(VibesClient.from_settings())
    assert counts["created"] == 4
    assert published == [(follow.REGISTER_TASK, follow.REGISTER_DELAY)]
    cache.delete(follow.QUEUED_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        lists_sync(VibesClient.from_settings())  # nothing new
    assert len(published) == 1


def test_the_run_registers_a_list_added_at_vibes(account):
    tasks.callbacks_register()
    assert _opt_outs_of(account, "1299") == []
    account.state.list_upsert(list_id="1299", name="Flash sales")

    summary = tasks.callbacks_register()

    assert summary.startswith("2 registered")  # its opt-outs and opt-ins
    [registration] = _opt_outs_of(account, "1299")
    assert registration.url == URL
    assert CallbackRegistration.objects.get(
        callback_type="subscription_removed", scope="1299"
    ).state == ("registered")


def test_the_daily_run_recreates_a_registration_deleted_in_vibes_ui(account):
    tasks.callbacks_register()
    [deleted] = _opt_outs_of(account, "1235")
    answer = requests.delete(
        f"{account.url}/_sim/callbacks", json={"callback_id": deleted.callback_id}, timeout=5
    )
    assert answer.status_code == 200
    assert _opt_outs_of(account, "1235") == []

    summary = tasks.callbacks_register()

    assert summary.startswith("1 registered")
    [made] = _opt_outs_of(account, "1235")
    assert made.callback_id != deleted.callback_id and made.url == URL
    assert tasks.callbacks_register().startswith("0 registered")


def test_a_run_while_another_is_going_on_comes_after_it(account, published):
    cache.add(tasks.REGISTER_LOCK, 1, timeout=60)
    assert "another registration run" in tasks.callbacks_register()
    assert published == [(follow.REGISTER_TASK, follow.REGISTER_DELAY)]
    assert not account.requests(path_contains="/config/callbacks")


def test_without_a_token_the_run_registers_nothing(account, settings):
    settings.CALLBACK_TOKENS = []
    assert "nothing registered" in tasks.callbacks_register()
    assert not account.state.callbacks


def test_vibes_not_answering_leaves_the_kept_outcome_alone(account):
    tasks.callbacks_register()
    kept = CallbackRegistration.objects.count()
    account.add_fault("status", path="/subscription_lists", status=503, count=None)
    assert tasks.callbacks_register().startswith("not checked")
    assert CallbackRegistration.objects.count() == kept
    assert not CallbackRegistration.objects.exclude(state="registered").exists()


def test_a_malformed_source_code_setting_changes_nothing_and_says_why(account, settings):
    settings.VIBES_SOURCE_CODES = ["12345"]
    assert "not checked: '12345' is not code:country_code" in tasks.callbacks_register()
    assert not account.state.callbacks


def test_beat_repairs_registrations_daily_and_sweeps_uncovered_lists():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["callbacks-register"]["task"] == follow.REGISTER_TASK
    assert schedule["callbacks-register"]["schedule"] == 86400.0
    assert schedule["vibes-uncovered-sweep"]["task"] == "callbacks.tasks.uncovered_lists_sweep"
