"""The simulator's registration API holds to the reference (docs/vibes.md, "Callback
registrations"): the filter object named after the type where it is required, the
unmatched registration under the parent company key, the limit, and a registration staff
can end in Vibes' UI."""

import pytest
import requests

from simulator import SimulatorServer
from tests.simulator.conftest import COMPANY, PASSWORD, USER

DEST = {"url": "https://crm.example/cb/"}
CODE = {"source_code": "12345", "country_code": "1"}


def _errors(answer) -> str:
    return " ".join(e["message"] for e in answer.json()["errors"])


@pytest.mark.parametrize(
    ("kind", "needed"),
    [
        ("subscription_added", "subscription_added"),
        ("subscription_removed", "subscription_removed"),
        ("ack_participant_added", "ack_participant_added"),
        ("ack_participant_changed", "ack_participant_changed"),
        ("unmatched_message_received", "unmatched_message_received"),
        ("event_processed", "event_processed"),
    ],
)
def test_a_type_filtered_by_the_reference_is_refused_without_its_filter_object(vibes, kind, needed):
    answer = vibes.post("/config/callbacks", json={"callback_type": kind, "destination": DEST})
    assert answer.status_code == 400
    assert needed in _errors(answer)


@pytest.mark.parametrize(
    ("kind", "empty", "key"),
    [
        ("subscription_removed", {}, "list_id"),
        ("ack_participant_changed", {"campaign_id": ""}, "campaign_id"),
        ("unmatched_message_received", {"country_code": "1"}, "source_code"),
    ],
)
def test_a_filter_without_its_key_is_refused(vibes, kind, empty, key):
    answer = vibes.post(
        "/config/callbacks", json={"callback_type": kind, kind: empty, "destination": DEST}
    )
    assert answer.status_code == 400
    assert f"{kind}.{key}" in _errors(answer)


def test_the_filters_the_reference_shows_are_accepted_and_echoed(vibes):
    for kind, scope in (
        ("subscription_removed", {"list_id": "1234"}),
        ("ack_participant_added", {"campaign_id": "2342312"}),
        ("unmatched_message_received", CODE),
        ("event_processed", {"callbacks_to_send": "all"}),
        ("person_added", None),
    ):
        body = {"callback_type": kind, "destination": DEST}
        if scope is not None:
            body[kind] = scope
        answer = vibes.post("/config/callbacks", json=body)
        assert answer.status_code == 201, answer.text
        assert answer.json().get(kind) == scope


def test_an_unmatched_registration_for_a_code_the_account_lacks_is_refused(vibes):
    body = {
        "callback_type": "unmatched_message_received",
        "unmatched_message_received": {"source_code": "99999", "country_code": "1"},
        "destination": DEST,
    }
    answer = vibes.post("/config/callbacks", json=body)
    assert answer.status_code == 400
    assert "99999" in _errors(answer)


@pytest.fixture
def parented():
    server = SimulatorServer(
        company_key=COMPANY, parent_company_key="acme-parent", username=USER, password=PASSWORD
    ).start()
    yield server
    server.stop()


def _post(sim, key, path, body=None, method="POST"):
    return requests.request(
        method,
        f"{sim.url}/companies/{key}{path}",
        json=body,
        auth=(USER, PASSWORD),
        headers={"X-API-Version": "2"},
        timeout=5,
    )


def test_unmatched_messages_are_registered_with_the_parent_company_key_only(parented):
    body = {
        "callback_type": "unmatched_message_received",
        "unmatched_message_received": CODE,
        "destination": DEST,
    }
    refused = _post(parented, COMPANY, "/config/callbacks", body)
    assert refused.status_code == 403
    assert "acme-parent" in _errors(refused)

    made = _post(parented, "acme-parent", "/config/callbacks", body)
    assert made.status_code == 201
    listed = _post(parented, "acme-parent", "/config/callbacks", method="GET").json()
    assert [c["callback_id"] for c in listed] == [made.json()["callback_id"]]
    assert _post(parented, COMPANY, "/config/callbacks", method="GET").json() == []
    # The parent's key reaches the callback configuration, nothing else of the account.
    assert (
        _post(parented, "acme-parent", "/mobiledb/subscription_lists", method="GET").status_code
        == 403
    )
    person = {"callback_type": "person_added", "destination": DEST}
    assert _post(parented, "acme-parent", "/config/callbacks", person).status_code == 403


def test_the_limit_counts_every_registration_and_a_deleted_one_frees_a_slot(sim, vibes):
    sim.set_callback_limit(3)
    for list_id in ("1234", "1235", "1236"):
        body = {
            "callback_type": "subscription_removed",
            "subscription_removed": {"list_id": list_id},
            "destination": DEST,
        }
        assert vibes.post("/config/callbacks", json=body).status_code == 201
    over = vibes.post(
        "/config/callbacks", json={**body, "subscription_removed": {"list_id": "1237"}}
    )
    assert over.status_code == 400
    assert "At most 3" in _errors(over)

    some_id = vibes.get("/config/callbacks").json()[0]["callback_id"]
    ended = requests.delete(f"{sim.url}/_sim/callbacks", json={"callback_id": some_id}, timeout=5)
    assert ended.status_code == 200
    assert ended.json()["callback_id"] == some_id
    assert some_id not in {c["callback_id"] for c in vibes.get("/config/callbacks").json()}
    again = vibes.post(
        "/config/callbacks", json={**body, "subscription_removed": {"list_id": "1237"}}
    )
    assert again.status_code == 201


def test_vibes_test_api_has_no_unmatched_test_event(sim, vibes):
    vibes.post(
        "/config/callbacks",
        json={
            "callback_type": "unmatched_message_received",
            "unmatched_message_received": CODE,
            "destination": DEST,
        },
    )
    answer = vibes.post(
        "/config/callback_events/test", json={"callback_type": "unmatched_message_received"}
    )
    assert answer.status_code == 400


def test_event_processed_test_events_reach_a_registration_filtered_by_what_to_send(
    sim, vibes, receiver
):
    vibes.post(
        "/config/callbacks",
        json={
            "callback_type": "event_processed",
            "event_processed": {"callbacks_to_send": "all"},
            "destination": {"url": receiver.url},
        },
    )
    answer = vibes.post(
        "/config/callback_events/test",
        json={"callback_type": "event_processed", "event_processed": {"event_id": "t-1"}},
    )
    assert answer.status_code == 200, answer.text
    assert sim.wait_idle()
    [event] = receiver.events("event_processed")
    assert event["event_processed"]["event_id"] == "t-1"


def test_a_texted_word_reaches_the_registration_of_its_code(sim, receiver):
    sim.register_callbacks(receiver.url)
    [unmatched] = [
        c for c in sim.state.callbacks.values() if c.callback_type == "unmatched_message_received"
    ]
    assert unmatched.filter == CODE
    sim.reply(mdn=sim.state.persons["demo-00001"].mdn, text="hello there")
    assert sim.wait_idle()
    assert len(receiver.events("unmatched_message_received")) == 1
