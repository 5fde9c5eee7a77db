"""Callback registration: ``/config/callbacks`` and the test event (docs/vibes.md, "Callbacks")."""

from tests.simulator.conftest import VibesClient

SUB = {
    "callback_type": "subscription_added",
    "subscription_added": {"list_id": "1234"},
    "destination": {"url": "https://crm.example/cb/", "method": "PUT", "content_type": "text/json"},
}


def test_register_list_get_update_delete(vibes):
    created = vibes.post("/config/callbacks", json=SUB)
    assert created.status_code == 201
    body = created.json()
    assert body["callback_type"] == "subscription_added"
    assert body["subscription_added"] == {"list_id": "1234"}
    assert body["destination"] == SUB["destination"]
    callback_id = body["callback_id"]
    assert [c["callback_id"] for c in vibes.get("/config/callbacks").json()] == [callback_id]
    assert vibes.get(f"/config/callbacks/{callback_id}").json() == body
    changed = vibes.put(
        f"/config/callbacks/{callback_id}",
        json={**SUB, "destination": {"url": "https://crm.example/other/"}},
    )
    assert changed.status_code == 200
    assert changed.json()["destination"] == {
        "url": "https://crm.example/other/",
        "method": "POST",
        "content_type": "application/json",
    }
    assert vibes.delete(f"/config/callbacks/{callback_id}").status_code == 200
    assert vibes.get(f"/config/callbacks/{callback_id}").status_code == 404
    assert vibes.get("/config/callbacks").json() == []


def test_invalid_registrations_are_400(vibes):
    bad = [
        {**SUB, "callback_type": "nonsense"},
        {**SUB, "destination": {"url": "ftp://x"}},
        {**SUB, "destination": {"url": "https://x/", "method": "GET"}},
        {**SUB, "destination": {"url": "https://x/", "content_type": "text/plain"}},
        {"callback_type": "person_added"},
    ]
    for body in bad:
        assert vibes.post("/config/callbacks", json=body).status_code == 400, body
    assert vibes.get("/config/callbacks/unknown").status_code == 404
    assert vibes.put("/config/callbacks/unknown", json=SUB).status_code == 404


def test_test_event_reaches_the_registered_url(sim, vibes, receiver):
    vibes.post("/config/callbacks", json={**SUB, "destination": {"url": receiver.url}})
    answer = vibes.post(
        "/config/callback_events/test",
        json={
            "callback_type": "subscription_added",
            "subscription": {"person": {"id": "ABC123"}, "subscription_list": {"id": "1234"}},
        },
    )
    assert answer.status_code == 200
    event_id = answer.json()["event_id"]
    assert sim.wait_idle()
    [event] = receiver.events()
    assert event["event_id"] == event_id
    assert event["subscription"]["person"]["id"] == "ABC123"


def test_test_event_without_an_active_callback_is_404(vibes):
    answer = vibes.post("/config/callback_events/test", json={"callback_type": "person_added"})
    assert answer.status_code == 404


def test_subscription_callbacks_are_filtered_by_list(sim, vibes, receiver):
    vibes.post(
        "/config/callbacks",
        json={**SUB, "destination": {"url": receiver.url}},  # list 1234 only
    )
    _, person = sim.state.person_add({"mobile_phone": {"mdn": "+14155550140"}})
    sim.state.subscribe(person, "1237")
    sim.state.subscribe(person, "1234")
    assert sim.wait_idle()
    lists = [e["subscription"]["subscription_list"]["id"] for e in receiver.events()]
    assert lists == ["1234"]


def test_register_all_callbacks_skips_what_is_there(sim, receiver):
    made = sim.register_callbacks(receiver.url)
    types = sorted({c.callback_type for c in made})
    assert types == [
        "ack_participant_added",
        "ack_participant_changed",
        "event_processed",
        "person_added",
        "person_updated",
        "subscription_added",
        "subscription_list_added",
        "subscription_list_updated",
        "subscription_removed",
        "unmatched_message_received",
    ]
    per_list = [c.filter for c in made if c.callback_type == "subscription_added"]
    assert sorted(f["list_id"] for f in per_list) == ["1234", "1235", "1236", "1237"]
    assert sim.register_callbacks(receiver.url) == []


def test_registered_without_version_2_numbers_arrive_without_country_code(sim, receiver):
    v1 = VibesClient(sim.url, version=None)
    body = {**SUB, "subscription_added": {"list_id": "1237"}, "destination": {"url": receiver.url}}
    v1.post("/config/callbacks", json=body)
    VibesClient(sim.url).post("/config/callbacks", json=body)
    sim.state.subscribe(sim.state.person("demo-00000"), "1237")
    assert sim.wait_idle()
    numbers = sorted(e["subscription"]["person"]["mobile_phone"]["mdn"] for e in receiver.events())
    assert numbers == ["+12015550100", "2015550100"]
