"""The simulator's Event API (docs/vibes.md, "Texts of our own"): 202, the body checked as
Vibes documents it, the phone's inbox, and ``event_processed`` to the registrations."""

import json
import time
from io import StringIO

import pytest
import requests
from django.core.management import call_command

from simulator import SimulatorServer
from tests.simulator.conftest import COMPANY, PASSWORD, USER, VibesClient

NUMBER = "+14155550161"


def _event(**overrides) -> dict:
    body = {
        "event_id": "0f5b2c1e-9a77-4d62-b4c1-3f1f7f0a4e21",
        "event_type": "prefs_number_code",
        "event_data": {"mdn": NUMBER, "code": "482913"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def processed(sim, receiver):
    """An ``event_processed`` registration to the receiver, as the product makes one."""
    sim.state.callback_register(
        {
            "callback_type": "event_processed",
            "event_processed": {"callbacks_to_send": "all"},
            "destination": {"url": receiver.url, "method": "POST"},
        }
    )
    return receiver


def _outcomes(sim, receiver) -> list[dict]:
    assert sim.wait_idle(5)
    return [e["event_processed"] for e in receiver.events("event_processed")]


def test_an_event_of_a_known_type_is_accepted_texts_the_phone_and_reports_success(
    sim, vibes, processed
):
    answer = vibes.post("/events", json=_event())
    assert answer.status_code == 202
    assert answer.json() == {"event_id": "0f5b2c1e-9a77-4d62-b4c1-3f1f7f0a4e21"}
    texts = sim.inbox(NUMBER)
    assert [t["text"] for t in texts] == ["Your code to confirm this number: 482913"]
    [outcome] = _outcomes(sim, processed)
    assert outcome["event_id"] == "0f5b2c1e-9a77-4d62-b4c1-3f1f7f0a4e21"
    assert outcome["event_type"] == "prefs_number_code"
    assert outcome["event_data"] == {"mdn": NUMBER, "code": "482913"}
    assert outcome["action"] == {
        "type": "routing",
        "status": "processing",
        "status_reason": "accepted_by_event_triggered_message",
    }
    [event] = processed.events("event_processed")
    assert event["callback_type"] == "event_processed" and event["event_id"] != outcome["event_id"]


def test_event_types_are_case_insensitive(sim, vibes):
    assert vibes.post("/events", json=_event(event_type="PREFS_Number_Code")).status_code == 202
    assert len(sim.inbox(NUMBER)) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_event(event_id=""), "event_id is required"),
        (_event(event_type="prefs number code"), "event_type is required"),
        (_event(event_type="prefs.code"), "event_type is required"),
        (_event(event_data="482913"), "event_data must be an object"),
        (_event(event_data={"code": "1"}), "must name the recipient"),
        (_event(event_data={"mdn": NUMBER, "person_key": "k1", "code": "1"}), "must name"),
        (_event(event_data={"mdn": "4155550161", "code": "1"}), "Invalid MDN format"),
        (_event(event_data={"mdn": NUMBER, "pad": "x" * 17_000}), "at most 16384 bytes"),
    ],
)
def test_a_body_vibes_would_refuse_is_a_400_and_texts_nobody(sim, vibes, body, message):
    answer = vibes.post("/events", json=body)
    assert answer.status_code == 400
    assert message in answer.json()["errors"][0]["message"]
    assert sim.inbox() == []


def test_routing_failures_are_reported_and_text_nobody(sim, vibes, processed):
    sim.state.landlines.add("+14155550199")
    vibes.post("/events", json=_event(event_id="e-1", event_type="order_shipped"))
    vibes.post("/events", json=_event(event_id="e-2", event_data={"person_key": "nobody"}))
    landline = {"mdn": "+14155550199", "code": "1"}
    vibes.post("/events", json=_event(event_id="e-3", event_data=landline))
    vibes.post("/events", json=_event(event_id="e-4"))
    vibes.post("/events", json=_event(event_id="e-4"))  # an event id used again
    reasons = {
        (o["event_id"], o["action"]["status"], o["action"]["status_reason"])
        for o in _outcomes(sim, processed)
    }
    assert reasons == {
        ("e-1", "failed", "no_route_rules"),
        ("e-2", "failed", "person_not_found"),
        ("e-3", "failed", "carrier_not_supported"),
        ("e-4", "processing", "accepted_by_event_triggered_message"),
        ("e-4", "failed", "duplicate_event_id"),
    }
    assert [t["event_id"] for t in sim.inbox()] == ["e-4"]


def test_a_person_of_the_account_named_by_key_is_texted_at_their_number(sim, vibes):
    person = next(p for p in sim.state.persons.values() if p.mdn)
    data = {"person_key": person.person_key, "link": "https://prefs.example/p/abc/"}
    vibes.post("/events", json=_event(event_type="prefs_preference_link", event_data=data))
    assert [t["text"] for t in sim.inbox(person.mdn)] == [
        "Your text preferences: https://prefs.example/p/abc/"
    ]


def test_the_inbox_and_the_event_types_over_the_control_api_and_the_ctl_command(sim, vibes):
    control = f"{sim.url}/_sim"
    types = {"types": {"Order_Shipped": "Shipped: {{ order }}"}}
    made = requests.post(f"{control}/event-types", json=types, timeout=5)
    assert made.json() == {"types": {"order_shipped": "Shipped: {{ order }}"}}
    data = {"mdn": NUMBER, "order": "A-17"}
    assert vibes.post("/events", json=_event(event_type="order_shipped", event_data=data)).ok
    inbox = requests.get(f"{control}/inbox", params={"mdn": NUMBER}, timeout=5).json()
    assert [(t["mdn"], t["text"], t["event_type"]) for t in inbox] == [
        (NUMBER, "Shipped: A-17", "order_shipped")
    ]
    out = StringIO()
    call_command("vibes_simulator_ctl", "inbox", "--mdn", NUMBER, "--url", sim.url, stdout=out)
    assert [t["text"] for t in json.loads(out.getvalue())] == ["Shipped: A-17"]


def test_the_event_api_counts_its_own_budget_apart_from_the_rest_of_the_api():
    sim = SimulatorServer(
        company_key=COMPANY, username=USER, password=PASSWORD, rate_limit=3, event_rate_limit=5
    ).start()
    client = VibesClient(sim.url)
    try:
        while time.monotonic() % 1 > 0.5:  # the whole burst inside one clock second
            time.sleep(0.05)
        api = [client.get("/mobiledb/subscription_lists").status_code for _ in range(4)]
        events = [
            client.post("/events", json=_event(event_id=f"b-{n}")).status_code for n in range(6)
        ]
    finally:
        client.session.close()
        sim.stop()
    assert api == [200, 200, 200, 429]
    assert events == [202] * 5 + [429]


def test_texts_are_printed_for_the_make_run_console(sim, vibes, caplog):
    caplog.set_level("INFO", logger="simulator.texts")
    vibes.post("/events", json=_event())
    assert f"TEXT to {NUMBER}: Your code to confirm this number: 482913" in caplog.text


def test_a_registration_for_one_event_type_gets_only_that_types_outcomes(sim, vibes, receiver):
    sim.state.callback_register(
        {
            "callback_type": "event_processed",
            "event_processed": {"event_type": "prefs_number_code"},
            "destination": {"url": receiver.url},
        }
    )
    vibes.post("/events", json=_event(event_id="t-1"))
    vibes.post("/events", json=_event(event_id="t-2", event_type="order_shipped"))
    assert [o["event_id"] for o in _outcomes(sim, receiver)] == ["t-1"]
