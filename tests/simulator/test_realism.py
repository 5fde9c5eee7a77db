"""Vibes' limits and behaviours the simulator has by default: the rate limit, the
registration limit, the delivery timeout and retries, unmatched messages, carrier opt-outs."""

import io
import re
import time
import uuid

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from simulator import SimulatorServer
from simulator import server as sim_server
from simulator.delivery import DEFAULT_RETRY_SCHEDULE
from tests.simulator.conftest import COMPANY, PASSWORD, USER, VibesClient, demo_mdn

DESTINATION = {"url": "http://127.0.0.1:9/callbacks/vibes/tok/", "method": "POST"}


@pytest.fixture
def stock():
    """A simulator with nothing changed from its defaults."""
    server = SimulatorServer(company_key=COMPANY, username=USER, password=PASSWORD).start()
    server.seed_demo(persons=3)
    yield server
    server.stop()


def _burst(sim, n: int) -> list[int]:
    client = VibesClient(sim.url)
    try:
        return [client.get("/mobiledb/subscription_lists").status_code for _ in range(n)]
    finally:
        client.session.close()


def test_defaults_are_vibes_limits(stock):
    assert stock.limits() == {
        "rate_limit": 100.0,
        "callback_limit": 50,
        "delivery_timeout": 2.0,
        "retry_schedule": list(DEFAULT_RETRY_SCHEDULE),
    }
    assert DEFAULT_RETRY_SCHEDULE == (10.0, 60.0, 180.0, 600.0)


def test_more_than_100_requests_a_second_meet_429_by_default(stock):
    started = time.monotonic()
    statuses = _burst(stock, 250)
    elapsed = time.monotonic() - started
    assert set(statuses) == {200, 429}
    # A fixed one-second window: at most 100 a second get through.
    assert statuses.count(200) <= 100 * (int(elapsed) + 2)
    body = VibesClient(stock.url).get("/mobiledb/subscription_lists")
    if body.status_code == 429:
        assert body.json()["errors"][0]["code"] == 4290


def test_the_rate_limit_is_changed_through_the_control_api_and_reset_restores_it(stock):
    control = f"{stock.url}/_sim"
    off = requests.post(f"{control}/limits", json={"rate_limit": 0}, timeout=5).json()
    assert off["rate_limit"] is None
    assert set(_burst(stock, 250)) == {200}
    requests.post(f"{control}/reset", timeout=5)
    assert requests.get(f"{control}/limits", timeout=5).json()["rate_limit"] == 100.0


def test_registrations_past_50_are_refused(stock):
    client = VibesClient(stock.url)
    for n in range(50):
        destination = {**DESTINATION, "url": f"{DESTINATION['url']}{n}"}
        body = {"callback_type": "person_added", "destination": destination}
        assert client.post("/config/callbacks", json=body).status_code == 201
        time.sleep(0.011)  # under the rate limit
    refused = client.post(
        "/config/callbacks", json={"callback_type": "person_updated", "destination": DESTINATION}
    )
    assert refused.status_code == 400
    assert "At most 50" in refused.json()["errors"][0]["message"]
    assert len(stock.state.callbacks) == 50
    # Replacing one is no new registration.
    some_id = next(iter(stock.state.callbacks))
    replaced = client.put(
        f"/config/callbacks/{some_id}",
        json={"callback_type": "person_updated", "destination": DESTINATION},
    )
    assert replaced.status_code == 200


def test_a_callback_url_slower_than_two_seconds_is_a_failed_attempt(stock, receiver):
    stock.configure_delivery(retry_schedule=[])
    stock.register_callbacks(receiver.url)
    receiver.delay = 2.6
    stock.state.list_upsert(list_id="1299", name="Slow answers")
    assert stock.wait_idle(timeout=10)
    [record] = stock.deliveries(callback_type="subscription_list_added")
    assert record.outcome == "failed"
    assert "Timeout" in record.error


def test_failed_deliveries_follow_the_retry_schedule(sim, receiver):
    sim.configure_delivery(retry_schedule=[0.05, 0.3])
    sim.register_callbacks(receiver.url)
    receiver.answers = [503, 503, 503]
    sim.state.list_upsert(list_id="1298", name="Retried")
    assert sim.wait_idle(timeout=10)
    records = sim.deliveries(callback_type="subscription_list_added")
    assert [(r.attempt, r.outcome) for r in records] == [
        (1, "retrying"),
        (2, "retrying"),
        (3, "failed"),
    ]
    gap = (records[2].at - records[1].at).total_seconds()
    assert gap >= 0.3


def test_registering_every_callback_includes_unmatched_messages_of_the_short_code(sim):
    made = sim.register_callbacks("http://127.0.0.1:9/callbacks/vibes/tok/")
    unmatched = [c for c in made if c.callback_type == "unmatched_message_received"]
    assert len(unmatched) == 1
    assert unmatched[0].filter == {"source_code": "12345", "country_code": "1"}


#: What Vibes' reference shows in an unmatched_message_received (docs/vibes.md, "Callbacks").
UNMATCHED_FIELDS = {
    "event_id",
    "callback_type",
    "event_type",
    "event_date",
    "callback_id",
    "delivery_attempt",
    "participant",
    "source_code",
    "message",
    "message_id",
    "txn_id",
    "receipt_date",
}
SOURCE_CODE_FIELDS = {
    "company_key",
    "code",
    "country_code",
    "code_type",
    "default_response",
    "response_sent",
}


def test_any_other_text_is_an_unmatched_message_in_the_documented_body(wired, receiver):
    person = wired.state.persons["demo-00002"]
    answer = requests.post(
        f"{wired.url}/_sim/reply", json={"mdn": person.mdn, "text": "Opt out please"}, timeout=5
    ).json()
    assert answer["changed"] == 0 and len(answer["unmatched"]) == 1
    assert wired.wait_idle()
    [event] = receiver.events("unmatched_message_received")
    assert set(event) == UNMATCHED_FIELDS
    assert event["event_id"] == answer["unmatched"][0]
    assert str(uuid.UUID(event["event_id"])) == event["event_id"]
    assert event["event_type"] == "unmatched_message_received"
    assert event["participant"] == {"mdn": person.mdn, "carrier_id": person.carrier_code}
    assert event["message"] == "Opt out please"
    code = event["source_code"]
    assert set(code) == SOURCE_CODE_FIELDS
    assert (code["company_key"], code["code"], code["country_code"]) == (COMPANY, "12345", "1")
    assert code["code_type"] == "SC" and code["response_sent"] is True
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", event["receipt_date"])
    # "Opt out please" is no keyword of Vibes: nothing ended there.
    assert wired.state.subscriptions_of("demo-00002")


def test_a_text_from_a_number_vibes_does_not_know_is_the_same_body(wired, receiver):
    stranger = "+12015550999"
    wired.reply(mdn=stranger, text="what is this?")
    assert wired.wait_idle()
    [event] = receiver.events("unmatched_message_received")
    assert set(event) == UNMATCHED_FIELDS
    assert event["participant"] == {"mdn": stranger, "carrier_id": "104"}


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "STOPALL", "Stop all", "END", "cancel", "UNSUBSCRIBE", "Quit"]
)
def test_a_stop_keyword_opts_the_number_out_and_is_never_unmatched(wired, receiver, word):
    person = wired.state.persons["demo-00000"]
    open_lists = sorted(s.list_id for s in wired.state.subscriptions_of("demo-00000"))
    assert open_lists
    wired.reply(mdn=person.mdn, text=word)
    assert wired.wait_idle()
    assert not wired.state.subscriptions_of("demo-00000")
    removed = receiver.events("subscription_removed")
    assert sorted(e["subscription"]["subscription_list"]["id"] for e in removed) == open_lists
    assert not receiver.events("unmatched_message_received")


def test_help_is_answered_by_vibes_with_no_callback(wired, receiver):
    person = wired.state.persons["demo-00000"]
    assert wired.reply(mdn=person.mdn, text="HELP") == []
    assert wired.wait_idle()
    assert not receiver.events()


def test_a_version_1_registration_gets_the_unmatched_number_without_country_code(sim, receiver):
    vibes1 = VibesClient(sim.url, version="1")
    vibes1.post(
        "/config/callbacks",
        json={
            "callback_type": "unmatched_message_received",
            "unmatched_message_received": {"source_code": "12345", "country_code": "1"},
            "destination": {"url": receiver.url},
        },
    )
    sim.reply(mdn=demo_mdn(1), text="hours?")
    assert sim.wait_idle()
    [event] = receiver.events("unmatched_message_received")
    assert event["participant"]["mdn"] == demo_mdn(1)[2:]


@pytest.mark.parametrize("reason", ["disconnect", "failed_at_carrier", "obsolete_carrier"])
def test_a_carrier_opt_out_ends_every_open_subscription_with_its_reason(wired, receiver, reason):
    person = wired.state.persons["demo-00000"]
    open_lists = sorted(s.list_id for s in wired.state.subscriptions_of("demo-00000"))
    assert open_lists
    answer = requests.post(
        f"{wired.url}/_sim/carrier-opt-out", json={"mdn": person.mdn, "reason": reason}, timeout=5
    )
    assert answer.status_code == 200
    assert sorted(answer.json()["ended"]) == open_lists
    assert wired.wait_idle()
    removed = receiver.events("subscription_removed")
    assert sorted(e["subscription"]["subscription_list"]["id"] for e in removed) == open_lists
    assert {e["subscription"]["opt_out_reason"] for e in removed} == {reason}
    assert not wired.state.subscriptions_of("demo-00000")


def test_a_carrier_opt_out_from_python(wired, receiver):
    person = wired.state.persons["demo-00000"]
    ended = wired.carrier_opt_out(mdn=person.mdn, reason="failed_at_carrier")
    assert ended and all(s.opt_out_reason == "failed_at_carrier" for s in ended)
    assert wired.wait_idle()
    assert len(receiver.events("subscription_removed")) == len(ended)


def test_a_carrier_opt_out_needs_a_carrier_reason_and_a_subscribed_number(sim):
    person = sim.state.persons["demo-00000"]
    control = f"{sim.url}/_sim/carrier-opt-out"
    bad = requests.post(control, json={"mdn": person.mdn, "reason": "user_opt_out"}, timeout=5)
    assert bad.status_code == 400
    assert sim.state.subscriptions_of("demo-00000")
    nobody = requests.post(control, json={"mdn": "+12015550999", "reason": "disconnect"}, timeout=5)
    assert nobody.status_code == 404


def test_the_ctl_command_texts_opts_out_and_sets_limits(sim, capsys):
    person = sim.state.persons["demo-00000"]
    call_command(
        "vibes_simulator_ctl", "text", "--url", sim.url, "--mdn", person.mdn, "--text", "hi"
    )
    assert [e["callback_type"] for e in sim.state.events][-1] == "unmatched_message_received"
    call_command(
        "vibes_simulator_ctl", "carrier-opt-out", "--url", sim.url,
        "--mdn", person.mdn, "--reason", "failed_at_carrier",
    )  # fmt: skip
    assert not sim.state.subscriptions_of("demo-00000")
    call_command(
        "vibes_simulator_ctl", "limits", "--url", sim.url,
        "--rate-limit", "5", "--delivery-timeout", "1.5", "--retry-schedule", "1,2",
    )  # fmt: skip
    assert sim.limits()["rate_limit"] == 5.0
    assert sim.limits()["delivery_timeout"] == 1.5
    assert sim.limits()["retry_schedule"] == [1.0, 2.0]


def test_the_command_takes_its_limits_from_settings_and_options(settings, monkeypatch):
    made = {}

    class Recording(SimulatorServer):
        def __init__(self, **kwargs):
            made.update(kwargs)
            super().__init__(**kwargs)

        def start(self):
            super().start()
            self.stopped.set()  # serve nothing: the command returns at once
            return self

    monkeypatch.setattr(sim_server, "SimulatorServer", Recording)
    settings.SIM_RATE_LIMIT = 0
    settings.SIM_RETRY_SCHEDULE = [1.0, 2.0]
    out = io.StringIO()
    call_command("vibes_simulator", "--port", "0", "--callback-limit", "7", stdout=out)
    assert made["rate_limit"] is None  # 0: no limit
    assert made["callback_limit"] == 7  # the option wins
    assert made["delivery_timeout"] == 2.0
    assert made["retry_schedule"] == (1.0, 2.0)
    with pytest.raises(CommandError, match="retry-schedule"):
        call_command("vibes_simulator", "--port", "0", "--retry-schedule", "soon", stdout=out)
