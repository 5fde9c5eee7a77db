# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""Every opt-out gets a deadline until Vibes confirms it: by the push's answer, by a
callback, or by the drift sweep's re-read. Pushes run in-process against the simulator;
callbacks go through the endpoint."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from callbacks.apply import events_apply_received
from subscribers import deadlines, services, tasks
from subscribers.models import OptOutDeadline, Person, Push, Source, Subscription
from subscribers.repair.drift import drift_sweep
from subscribers.vibes.client import VibesClient
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

MDN = "+14155550140"
WEEKLY = "2342312"
TOKEN = "cb-token-deadlines-0123456789"


@pytest.fixture
def weekly():
    return services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id=WEEKLY, is_public=True
    )[0]


@pytest.fixture
def bea(vibes_simulator, weekly, published):
    state = vibes_simulator.state
    _status, vibes_person = state.person_add({"mobile_phone": {"mdn": MDN}})
    state.subscribe(vibes_person, "1234", campaign_id=WEEKLY)
    person = services.person_create(
        source=Source.IMPORT,
        person_key=vibes_person.person_key,
        vibes_person_id=vibes_person.person_id,
        mdn=MDN,
    )
    services.subscription_activate(
        person=person,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=timezone.now() - timedelta(days=2),
    )
    published.clear()
    return person, vibes_person


def opt_out_on_the_page(person, weekly, when=None):
    return services.subscription_cancel(
        person=person,
        subscription_list=weekly,
        source=Source.PREFERENCE_PAGE,
        occurred_at=when,
        opt_out_reason="user_opt_out",
    )


def test_ten_business_days_skip_the_weekend():
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert deadlines.business_days_after(friday, 10) == datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
    assert deadlines.business_days_after(friday, 1).weekday() == 0  # the Monday


def test_a_local_opt_out_opens_a_deadline_that_the_push_closes(bea, weekly, published):
    person, vibes_person = bea
    opt_out_on_the_page(person, weekly)
    row = OptOutDeadline.objects.get()
    assert row.confirmed_at is None and row.source == Source.PREFERENCE_PAGE
    assert row.target_at - row.opted_out_at == timedelta(minutes=5)
    assert row.due_at - row.opted_out_at >= timedelta(days=14)
    (push_id, _), *_ = published
    assert tasks.push_send(push_id) == "unsubscribed"
    row.refresh_from_db()
    assert row.confirmed_at and row.confirmed_how == "push"


def test_an_opt_out_from_vibes_is_confirmed_as_it_arrives(bea, weekly, client, settings):
    person, vibes_person = bea
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    # A second later than the opt-in (Vibes' dates have no fractions), in one of its forms.
    now = (timezone.now() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    body = {
        "event_id": "ev-carrier-1",
        "callback_type": "subscription_removed",
        "event_date": now,
        "subscription": {
            "person": {"person_key": vibes_person.person_key, "mobile_phone": {"mdn": MDN}},
            "subscription_list": {"id": "1234"},
            "opt_in_date": "2026-01-01T00:00:00Z",
            "opt_out_date": now,
            "opt_out_reason": "disconnect",
        },
    }
    answer = client.post(
        f"/callbacks/vibes/{TOKEN}/", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 200
    events_apply_received()
    row = OptOutDeadline.objects.get(person=person)
    assert row.confirmed_how == Source.VIBES_CALLBACK and row.opt_out_reason == "disconnect"
    assert not deadlines.past_target().exists()


def test_vibes_echo_of_our_opt_out_closes_the_open_deadline(bea, weekly, client, settings):
    person, vibes_person = bea
    opt_out_on_the_page(person, weekly)
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    echo = {
        "event_id": "ev-echo-1",
        "callback_type": "subscription_removed",
        "subscription": {
            "person": {"person_key": vibes_person.person_key},
            "subscription_list": {"id": "1234"},
            "opt_out_date": (timezone.now() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "opt_out_reason": "api_opt_out",
        },
    }
    client.post(f"/callbacks/vibes/{TOKEN}/", json.dumps(echo), content_type="application/json")
    events_apply_received()
    assert OptOutDeadline.objects.get().confirmed_how == Source.VIBES_CALLBACK


def test_the_drift_sweep_closes_what_vibes_confirms_and_pushes_what_it_lacks(
    bea, weekly, vibes_simulator, published
):
    person, vibes_person = bea
    long_ago = timezone.now() - timedelta(hours=1)
    opt_out_on_the_page(person, weekly, when=long_ago)
    Push.objects.update(state=Push.State.FAILED, last_error="timeout")
    # Vibes did get the opt-out (the answer was lost): the sweep reads it and closes it.
    vibes_simulator.state.unsubscribe(vibes_person, "1234", reason="api_opt_out")
    other = services.person_create(source=Source.ADMIN, mdn="+14155550141")
    result = drift_sweep(client=VibesClient.from_settings(), budget=100, seconds=5)
    assert result.confirmed == 1
    assert OptOutDeadline.objects.get(person=person).confirmed_how == "reconcile"
    assert result.persons == 2  # the failed one first, then the recent change
    assert other.pk  # unknown to Vibes: read, nothing applied
    # Read again within ten minutes: skipped.
    assert drift_sweep(client=VibesClient.from_settings(), budget=100, seconds=5).persons == 0


def test_the_drift_sweep_keeps_to_its_request_budget(bea, weekly, vibes_simulator):
    for n in range(6):
        services.person_create(source=Source.ADMIN, mdn=f"+1415555015{n}")
    started = time.monotonic()
    result = drift_sweep(client=VibesClient.from_settings(), budget=2, seconds=1.5)
    elapsed = time.monotonic() - started
    assert result.budget_spent and 3 <= result.requests <= 3 + 2
    assert elapsed >= (result.requests - 1) / 2 - 0.1  # paced: two requests a second
    assert vibes_simulator.requests(method="GET")  # it did read


def test_vibes_reconcile_drift_runs_one_sweep(bea, weekly, capsys):
    call_command("vibes_reconcile", "--drift")
    assert "re-read in" in capsys.readouterr().out


def test_a_repeated_local_opt_out_keeps_the_first_clock(bea, weekly):
    person, _ = bea
    first = timezone.now() - timedelta(minutes=30)
    opt_out_on_the_page(person, weekly, when=first)
    services.person_opt_out_all(person=Person.objects.get(pk=person.pk), source=Source.ADMIN)
    assert Subscription.objects.get(person=person).status == "opted_out"
    row = OptOutDeadline.objects.get()
    assert row.opted_out_at == first and row in deadlines.past_target()
