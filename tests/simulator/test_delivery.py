"""Callback delivery as Vibes does it, and its misbehaviour on request."""

import json

from tests.simulator.conftest import demo_mdn


def _fire(sim, n=1, list_id="1237"):
    """n subscription_added events, one per demo person, on a list nobody is on."""
    for i in range(n):
        sim.state.subscribe(sim.state.person(f"demo-{i:05d}"), list_id)


def test_envelope_carries_ids_types_date_and_the_object(wired, receiver):
    _fire(wired)
    assert wired.wait_idle()
    [request] = receiver.received
    assert request["method"] == "POST"
    assert request["content_type"] == "application/json"
    event = request["json"]
    assert event["callback_type"] == event["event_type"] == "subscription_added"
    assert event["event_id"] and event["callback_id"]
    assert event["delivery_attempt"] == "1"
    assert event["event_date"].endswith("Z") and len(event["event_date"]) == 24
    subscription = event["subscription"]
    assert subscription["person"] == {
        "id": "700000",
        "person_key": "demo-00000",
        "external_id": "crm-10000",
        "external_person_id": "crm-10000",
        "mobile_phone": {"mdn": demo_mdn(0)},
        "url": f"/companies/{wired.company_key}/mobiledb/persons/demo-00000",
    }
    assert subscription["subscription_list"]["id"] == "1237"


def test_method_and_content_type_follow_the_registration(sim, receiver):
    sim.register_callbacks(receiver.url, method="PUT", content_type="text/json")
    _fire(sim)
    assert sim.wait_idle()
    assert (receiver.received[0]["method"], receiver.received[0]["content_type"]) == (
        "PUT",
        "text/json",
    )


def test_5xx_is_retried_with_the_same_event_id_until_2xx(wired, receiver):
    receiver.answers = [503, 500]
    _fire(wired)
    assert wired.wait_idle()
    attempts = [(r["status"], r["json"]["delivery_attempt"]) for r in receiver.received]
    assert attempts == [(503, "1"), (500, "2"), (200, "3")]
    assert len({r["json"]["event_id"] for r in receiver.received}) == 1
    outcomes = [r.outcome for r in wired.deliveries()]
    assert outcomes == ["retrying", "retrying", "delivered"]


def test_3xx_is_retried_and_not_followed(wired, receiver):
    receiver.answers = [302]
    _fire(wired)
    assert wired.wait_idle()
    assert [r["status"] for r in receiver.received] == [302, 200]


def test_4xx_is_not_retried(wired, receiver):
    receiver.answers = [400]
    _fire(wired)
    assert wired.wait_idle()
    assert len(receiver.received) == 1
    assert wired.deliveries()[0].outcome == "failed"


def test_gives_up_after_max_attempts(wired, receiver):
    receiver.answers = [503] * 10
    _fire(wired)
    assert wired.wait_idle()
    assert len(receiver.received) == wired.deliverer.max_attempts == 4
    assert wired.deliveries()[-1].outcome == "failed"


def test_unreachable_receiver_is_retried_then_failed(sim):
    sim.register_callbacks("http://127.0.0.1:9/callbacks/vibes/tok/")
    _fire(sim)
    assert sim.wait_idle()
    records = sim.deliveries()
    assert [r.outcome for r in records] == ["retrying"] * 3 + ["failed"]
    assert records[0].status is None and "ConnectionError" in records[0].error


def test_duplicates_on_request(wired, receiver):
    wired.configure_delivery(duplicate=2)
    _fire(wired, 3)
    assert wired.wait_idle()
    ids = [r["json"]["event_id"] for r in receiver.received]
    assert len(ids) == 5 and len(set(ids)) == 3
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[4] not in ids[:4]
    assert {r["json"]["delivery_attempt"] for r in receiver.received} == {"1"}


def test_redelivery_as_after_a_lost_answer(wired, receiver):
    wired.configure_delivery(retry=1)
    _fire(wired)
    assert wired.wait_idle()
    assert [r["json"]["delivery_attempt"] for r in receiver.received] == ["1", "2"]
    assert receiver.received[0]["json"]["event_id"] == receiver.received[1]["json"]["event_id"]


def test_out_of_order_on_request(wired, receiver):
    wired.configure_delivery(out_of_order=3)
    _fire(wired, 3)
    assert wired.wait_idle()
    dates = [r["json"]["event_date"] for r in receiver.received]
    assert dates == sorted(dates, reverse=True)
    keys = [r["json"]["subscription"]["person"]["person_key"] for r in receiver.received]
    assert keys == ["demo-00002", "demo-00001", "demo-00000"]


def test_opt_in_then_opt_out_delivered_out_of_order(wired, receiver):
    person = wired.state.person("demo-00000")
    wired.configure_delivery(out_of_order=2)
    wired.state.subscribe(person, "1237")
    wired.state.unsubscribe(person, "1237", reason="user_opt_out")
    assert wired.wait_idle()
    kinds = [r["json"]["callback_type"] for r in receiver.received]
    assert kinds == ["subscription_removed", "subscription_added"]
    removed, added = (r["json"] for r in receiver.received)
    assert removed["event_date"] > added["event_date"]


def test_hold_and_release(wired, receiver):
    wired.configure_delivery(hold=True)
    _fire(wired, 2)
    assert wired.wait_idle()
    assert receiver.received == []
    assert wired.deliverer.settings()["held"] == 2
    wired.configure_delivery(hold=False)
    assert wired.wait_idle()
    assert len(receiver.received) == 2


def test_malformed_body_sent_as_is(wired, receiver):
    seed_example = '{ "callback:id","DEF123", "event_id":"AB234SDFD234" }'
    sent = wired.send_raw_callback(seed_example)
    assert sent == 1
    assert wired.wait_idle()
    assert receiver.received[0]["raw"] == seed_example.encode()
    assert receiver.received[0]["json"] is None


def test_slow_receiver_times_out_and_is_retried(sim, receiver):
    sim.deliverer.timeout = 0.2
    sim.register_callbacks(receiver.url)
    receiver.delay = 0.4
    _fire(sim)
    assert sim.wait_idle(timeout=15)
    assert sim.deliveries()[0].outcome == "retrying"
    assert "Timeout" in sim.deliveries()[0].error


def test_every_event_is_recorded_even_without_registration(sim):
    _fire(sim, 2)
    assert [e["callback_type"] for e in sim.state.events] == ["subscription_added"] * 2
    assert sim.deliveries() == []
    assert json.dumps(list(sim.state.events))
