"""Faults the push tests need: a held request, answer time for every request, scripted
answers with their own bodies, and a request log with what each request carried."""

import threading
import time

import pytest
import requests

ADD = {"mobile_phone": {"mdn": "+14155550150"}, "custom_fields": {"first_name": "Ada"}}


def test_a_held_request_waits_unanswered_until_released(sim, vibes):
    sim.add_fault("hold", method="POST", count=None)
    answers = []
    caller = threading.Thread(
        target=lambda: answers.append(vibes.post("/mobiledb/persons", json=ADD))
    )
    caller.start()
    assert sim.faults.held.wait(5)
    time.sleep(0.3)
    assert answers == [] and sim.state.person_by_mdn("+14155550150") is None
    assert vibes.get("/mobiledb/persons/demo-00001").status_code == 200  # GETs pass
    requests.post(f"{sim.url}/_sim/faults/release", timeout=5)
    caller.join(5)
    assert [a.status_code for a in answers] == [201]
    assert sim.state.person_by_mdn("+14155550150") is not None
    assert vibes.post("/mobiledb/persons", json=ADD).status_code == 200  # no longer held


def test_a_request_held_when_the_simulator_stops_gets_no_answer(sim, vibes):
    sim.add_fault("hold")
    failures = []

    def call():
        try:
            vibes.get("/mobiledb/subscription_lists", timeout=5)
        except requests.ConnectionError as exc:
            failures.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert sim.faults.held.wait(5)
    sim.stop()
    caller.join(5)
    assert len(failures) == 1


def test_latency_until_cleared_slows_every_request(sim, vibes):
    sim.add_fault("latency", seconds=0.05, count=None)
    started = time.monotonic()
    for _ in range(4):
        assert vibes.get("/mobiledb/subscription_lists").status_code == 200
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    ("spec", "status", "text"),
    [
        ({"status": 200, "body": [{"person_key": "k9"}]}, 200, '[{"person_key": "k9"}]'),
        ({"status": 409, "raw": ""}, 409, ""),
        ({"status": 503, "raw": "<html>oops</html>"}, 503, "<html>oops</html>"),
    ],
)
def test_a_status_fault_answers_its_own_body(sim, vibes, spec, status, text):
    sim.add_fault("status", method="GET", **spec)
    answer = vibes.get("/mobiledb/persons", params={"mdn": "+14155550150"})
    assert (answer.status_code, answer.text) == (status, text)


def test_one_request_meets_one_answering_fault_in_the_order_added(sim, vibes):
    sim.add_fault("status", status=429, retry_after="7")
    sim.add_fault("status", status=503, count=2)
    statuses = [vibes.get("/mobiledb/subscription_lists").status_code for _ in range(4)]
    assert statuses == [429, 503, 503, 200]


def test_the_request_log_keeps_query_headers_body_and_time(sim, vibes):
    before = time.time()
    vibes.post("/mobiledb/persons", json=ADD)
    vibes.get("/mobiledb/persons", params={"mdn": "+14155550150"})
    post, get = list(sim.request_log)[-2:]
    assert post["body"] == ADD and post["status"] == 201
    assert post["headers"]["X-API-Version"] == "2" and before <= post["at"] <= time.time()
    assert post["headers"]["Authorization"] == "Basic [hidden]"  # no password in the log
    assert get["query"] == "mdn=%2B14155550150" and get["body"] is None


def test_a_fault_with_a_raw_body_that_is_not_text_is_refused(sim):
    answer = requests.post(f"{sim.url}/_sim/faults", json={"kind": "status", "raw": 5}, timeout=5)
    assert answer.status_code == 400
