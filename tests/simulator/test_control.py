"""The control API over HTTP and the ``vibes_simulator_ctl`` command that drives it."""

import json
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command

from simulator import SimulatorServer

NEW = "+14155550160"


def _ctl(sim, *args):
    out = StringIO()
    call_command("vibes_simulator_ctl", *args, "--url", sim.url, stdout=out)
    return json.loads(out.getvalue())


def test_state_summary(sim):
    state = requests.get(f"{sim.url}/_sim/state", timeout=5).json()
    assert state["company_key"] == "acme"
    assert state["persons"] == 12
    assert [c["id"] for c in state["campaigns"]] == ["2342312", "2342313", "2342314"]
    assert [c["double_opt_in"] for c in state["campaigns"]] == [True, True, False]


def test_register_reply_and_wait_over_http(sim, vibes, receiver):
    control = f"{sim.url}/_sim"
    made = requests.post(f"{control}/register-callbacks", json={"url": receiver.url}, timeout=5)
    # person and list types, unmatched messages, event_processed, per list, per campaign
    assert len(made.json()["registered"]) == 4 + 1 + 1 + 2 * 4 + 2 * 3
    vibes.post("/campaigns/acquisition/2342313/participants", json={"mobile_phone": {"mdn": NEW}})
    answer = requests.post(f"{control}/reply", json={"mdn": NEW, "text": "Y"}, timeout=5)
    assert answer.json() == {"ok": True, "changed": 1}
    assert requests.post(f"{control}/wait", json={"timeout": 5}, timeout=10).json() == {
        "idle": True
    }
    assert [e["callback_type"] for e in receiver.events()][-2:] == [
        "ack_participant_changed",
        "subscription_added",
    ]
    person = requests.get(f"{control}/persons", params={"mdn": NEW}, timeout=5).json()
    assert [s["subscription_list"]["id"] for s in person["subscriptions"]] == ["1235"]
    delivered = requests.get(
        f"{control}/deliveries", params={"callback_type": "subscription_added"}, timeout=5
    ).json()
    assert [d["outcome"] for d in delivered] == ["delivered"]


def test_reply_for_nobody_pending_is_404(sim):
    answer = requests.post(f"{sim.url}/_sim/reply", json={"mdn": NEW, "text": "Y"}, timeout=5)
    assert answer.status_code == 404


def test_faults_and_delivery_over_http(sim, vibes):
    control = f"{sim.url}/_sim"
    requests.post(f"{control}/faults", json={"kind": "status", "status": 502}, timeout=5)
    assert vibes.get("/mobiledb/subscription_lists").status_code == 502
    requests.delete(f"{control}/faults", timeout=5)
    bad = requests.post(f"{control}/faults", json={"kind": "explode"}, timeout=5)
    assert bad.status_code == 400
    settings = requests.post(f"{control}/delivery", json={"duplicate": 2}, timeout=5).json()
    assert settings["duplicate"] == 2


def test_subscribe_lists_persons_expire_landline_requests(sim, vibes):
    control = f"{sim.url}/_sim"
    joined = requests.post(f"{control}/subscribe", json={"mdn": NEW, "list_id": "1234"}, timeout=5)
    assert [s["subscription_list"]["id"] for s in joined.json()["subscriptions"]] == ["1234"]
    requests.post(f"{control}/lists", json={"id": "1250", "name": "VIP"}, timeout=5)
    assert vibes.get("/mobiledb/subscription_lists/1250").json()["name"] == "VIP"
    updated = requests.post(
        f"{control}/persons/update",
        json={"mdn": NEW, "custom_fields": {"first_name": "Hana"}},
        timeout=5,
    ).json()
    assert updated["custom_fields"] == {"first_name": "Hana"}
    other = "+14155550161"
    vibes.post("/campaigns/acquisition/2342312/participants", json={"mobile_phone": {"mdn": other}})
    assert requests.post(f"{control}/expire", json={"mdn": other}, timeout=5).json() == {
        "expired": 1
    }
    requests.post(f"{control}/landlines", json={"mdn": other}, timeout=5)
    assert (
        vibes.post(
            "/campaigns/acquisition/2342312/participants", json={"mobile_phone": {"mdn": other}}
        ).status_code
        == 422
    )
    logged = requests.get(f"{control}/requests", timeout=5).json()
    assert {"method": "GET", "path": "/companies/acme/mobiledb/subscription_lists/1250"} in [
        {k: r[k] for k in ("method", "path")} for r in logged
    ]


def test_unknown_route_and_bad_body(sim):
    assert requests.get(f"{sim.url}/_sim/nothing", timeout=5).status_code == 404
    answer = requests.post(f"{sim.url}/_sim/reply", data=b"[1]", timeout=5)
    assert answer.status_code == 400


def test_control_token_is_enforced_when_set():
    with SimulatorServer(control_token="t0ken") as sim:
        assert requests.get(f"{sim.url}/_sim/state", timeout=5).status_code == 403
        ok = requests.get(f"{sim.url}/_sim/state", headers={"X-Sim-Token": "t0ken"}, timeout=5)
        assert ok.status_code == 200


def test_ctl_command_drives_reply_y_and_stop(sim, vibes, receiver):
    sim.register_callbacks(receiver.url)
    vibes.post("/campaigns/acquisition/2342312/participants", json={"mobile_phone": {"mdn": NEW}})
    assert _ctl(sim, "reply-y", "--mdn", NEW) == {"ok": True, "changed": 1}
    assert _ctl(sim, "stop", "--mdn", NEW) == {"ok": True, "changed": 1}
    assert _ctl(sim, "wait") == {"idle": True}
    removed = receiver.events("subscription_removed")[0]["subscription"]
    assert removed["opt_out_reason"] == "user_opt_out"
    assert _ctl(sim, "fault", "--kind", "status", "--status", "429", "--count", "1")["faults"]
    assert vibes.get("/mobiledb/subscription_lists").status_code == 429
    assert _ctl(sim, "state")["persons"] == 13


def test_ctl_command_reports_errors(sim):
    with pytest.raises(CommandError, match="404"):
        _ctl(sim, "reply-no", "--mdn", NEW)
    with pytest.raises(CommandError, match="not reachable"):
        call_command("vibes_simulator_ctl", "state", "--url", "http://127.0.0.1:9")


def test_ctl_update_person_and_list(sim, receiver):
    sim.register_callbacks(receiver.url)
    person = _ctl(sim, "update-person", "--mdn", "+12015550103", "--field", "first_name=Ana")
    assert person["custom_fields"]["first_name"] == "Ana"
    assert _ctl(sim, "list", "--list", "1240", "--name", "Flash sales")["id"] == "1240"
    assert _ctl(sim, "wait") == {"idle": True}
    assert [e["callback_type"] for e in receiver.events()] == [
        "person_updated",
        "subscription_list_added",
    ]
