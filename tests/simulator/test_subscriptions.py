"""Lists and subscriptions: docs/vibes.md, "Lists and subscriptions"."""

import threading

from tests.simulator.conftest import COMPANY


def _active_list(sim, person_key="demo-00000"):
    return sim.state.subscriptions_of(person_key)[0].list_id  # demo-00000 has one


def test_lists_have_only_the_documented_fields(vibes):
    lists = vibes.get("/mobiledb/subscription_lists").json()
    assert [sl["id"] for sl in lists] == ["1234", "1235", "1236", "1237"]
    assert lists[0] == {
        "id": "1234",
        "name": "Weekly deals",
        "url": f"/companies/{COMPANY}/mobiledb/subscription_lists/1234",
        "subscribers_url": f"/companies/{COMPANY}/mobiledb/subscription_lists/1234/subscribers",
        "acquisition_campaigns_url": (
            f"/companies/{COMPANY}/mobiledb/subscription_lists/1234/acquisition_campaigns"
        ),
    }
    assert vibes.get("/mobiledb/subscription_lists/1235").json()["name"] == "Store events"
    assert vibes.get("/mobiledb/subscription_lists/999").status_code == 404


def test_a_lists_acquisition_campaigns(vibes):
    campaigns = vibes.get("/mobiledb/subscription_lists/1234/acquisition_campaigns").json()
    assert [c["acquisition_id"] for c in campaigns] == ["2342312"]
    assert campaigns[0]["acquisition_campaign"] == {"keywords": ["DEALS"]}
    assert vibes.get("/mobiledb/subscription_lists/1237/acquisition_campaigns").json() == []
    assert vibes.get("/campaigns/acquisition/2342314").json()["acquisition_id"] == "2342314"
    assert len(vibes.get("/campaigns/acquisition").json()) == 3


def test_person_subscriptions_active_only_by_default(sim, vibes):
    all_subs = sim.state.subscriptions_of("demo-00000", active_only=False)
    active = [s for s in all_subs if s.active]
    answer = vibes.get("/mobiledb/persons/demo-00000/subscriptions").json()
    assert [s["subscription_list"]["id"] for s in answer] == [s.list_id for s in active]
    assert all("opt_out_date" not in s for s in answer)
    everything = vibes.get("/mobiledb/persons/demo-00000/subscriptions?active_only=false").json()
    assert len(everything) == len(all_subs)
    by_external = vibes.get("/mobiledb/persons/external/crm-10000/subscriptions").json()
    assert by_external == answer
    assert vibes.get("/mobiledb/persons/nobody/subscriptions").status_code == 404


def test_one_subscription_or_404_without_body(sim, vibes):
    list_id = _active_list(sim)
    answer = vibes.get(f"/mobiledb/persons/demo-00000/subscriptions/{list_id}")
    assert answer.status_code == 200
    assert answer.json()[0]["subscription_list"]["id"] == list_id
    missing = vibes.get("/mobiledb/persons/demo-00000/subscriptions/1237")
    assert (missing.status_code, missing.content) == (404, b"")
    unknown = vibes.get("/mobiledb/persons/nobody/subscriptions/1234")
    assert (unknown.status_code, unknown.content) == (404, b"")


def test_unsubscribe_then_again_is_404_without_body(sim, vibes):
    list_id = _active_list(sim)
    first = vibes.delete(f"/mobiledb/persons/demo-00000/subscriptions/{list_id}")
    assert (first.status_code, first.content) == (204, b"")
    again = vibes.delete(f"/mobiledb/persons/demo-00000/subscriptions/{list_id}")
    assert (again.status_code, again.content) == (404, b"")
    unknown = vibes.delete("/mobiledb/persons/nobody/subscriptions/1234")
    assert (unknown.status_code, unknown.content) == (404, b"")
    ended = vibes.get("/mobiledb/persons/demo-00000/subscriptions?active_only=false").json()
    removed = [s for s in ended if s["subscription_list"]["id"] == list_id][-1]
    assert removed["opt_out_reason"] == "api_opt_out"
    assert removed["opt_out_date"]


def test_unsubscribe_by_external_id(sim, vibes):
    sub = next(s for s in sim.state.subscriptions if s.active and s.person_key != "demo-00000")
    ext = sim.state.person(sub.person_key).external_person_id
    answer = vibes.delete(f"/mobiledb/persons/external/{ext}/subscriptions/{sub.list_id}")
    assert answer.status_code == 204
    assert sim.state.active_subscription(sub.person_key, sub.list_id) is None


def test_unsubscribe_fires_subscription_removed(wired, vibes, receiver):
    list_id = _active_list(wired)
    vibes.delete(f"/mobiledb/persons/demo-00000/subscriptions/{list_id}")
    assert wired.wait_idle()
    [event] = receiver.events("subscription_removed")
    assert event["subscription"]["subscription_list"]["id"] == list_id
    assert event["subscription"]["opt_out_reason"] == "api_opt_out"
    assert event["subscription"]["person"]["person_key"] == "demo-00000"


def test_resubscribing_creates_a_new_subscription_record(sim, vibes):
    list_id = _active_list(sim)
    vibes.delete(f"/mobiledb/persons/demo-00000/subscriptions/{list_id}")
    sim.state.subscribe(sim.state.person("demo-00000"), list_id)
    records = [
        s
        for s in sim.state.subscriptions_of("demo-00000", active_only=False)
        if s.list_id == list_id
    ]
    assert [s.active for s in records][-2:] == [False, True]


def test_list_subscriber_search(sim, vibes):
    list_id = _active_list(sim)
    found = vibes.get(f"/mobiledb/subscription_lists/{list_id}/subscribers?mdn=%2B12015550100")
    assert found.json()["person_key"] == "demo-00000"
    assert (
        vibes.get("/mobiledb/subscription_lists/1237/subscribers?mdn=%2B12015550100").status_code
        == 404
    )


def test_wait_for_request_sees_a_push_that_arrives_later(sim, vibes):
    list_id = _active_list(sim)
    timer = threading.Timer(
        0.2, lambda: vibes.delete(f"/mobiledb/persons/demo-00000/subscriptions/{list_id}")
    )
    timer.start()
    found = sim.wait_for_request(method="DELETE", path_contains="/subscriptions/", timeout=5)
    timer.join()
    assert found == {
        "method": "DELETE",
        "path": f"/companies/acme/mobiledb/persons/demo-00000/subscriptions/{list_id}",
        "status": 204,
    }
    assert sim.wait_for_request(method="PUT", timeout=0.1) is None
