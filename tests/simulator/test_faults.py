"""Faults on request: latency, 429, 5xx, timeouts, malformed bodies, a rate limit."""

import time

import pytest
import requests

ADD = {"mobile_phone": {"mdn": "+14155550150"}}


def test_latency_delays_the_answer(sim, vibes):
    sim.add_fault("latency", seconds=0.3, path="/subscription_lists")
    started = time.monotonic()
    assert vibes.get("/mobiledb/subscription_lists").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    vibes.get("/mobiledb/subscription_lists")
    assert time.monotonic() - started < 0.3  # count=1: used up


def test_429_for_the_next_requests_then_normal(sim, vibes):
    sim.add_fault("status", status=429, count=2)
    assert [vibes.get("/mobiledb/persons/demo-00001").status_code for _ in range(3)] == [
        429,
        429,
        200,
    ]


def test_429_with_retry_after_when_asked(sim, vibes):
    sim.add_fault("status", status=429, retry_after="2")
    answer = vibes.get("/mobiledb/persons/demo-00001")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"


def test_5xx_does_nothing(sim, vibes):
    sim.add_fault("status", status=503, method="POST", path="/mobiledb/persons")
    assert vibes.get("/mobiledb/persons/demo-00001").status_code == 200  # GET unaffected
    assert vibes.post("/mobiledb/persons", json=ADD).status_code == 503
    assert sim.state.person_by_mdn("+14155550150") is None
    assert vibes.post("/mobiledb/persons", json=ADD).status_code == 201


def test_timeout_hangs_past_the_read_timeout_and_does_nothing(sim, vibes):
    sim.add_fault("timeout", seconds=2, path="/mobiledb/persons")
    with pytest.raises(requests.ReadTimeout):
        vibes.post("/mobiledb/persons", json=ADD, timeout=0.3)
    assert sim.state.person_by_mdn("+14155550150") is None


def test_malformed_body_after_doing_the_work(sim, vibes):
    sim.add_fault("malformed", path="/mobiledb/persons")
    answer = vibes.post("/mobiledb/persons", json=ADD)
    assert answer.status_code == 201
    with pytest.raises(ValueError):
        answer.json()
    assert sim.state.person_by_mdn("+14155550150") is not None


def test_fault_until_cleared(sim, vibes):
    sim.add_fault("status", status=500, count=None)
    assert {vibes.get("/mobiledb/subscription_lists").status_code for _ in range(5)} == {500}
    sim.clear_faults()
    assert vibes.get("/mobiledb/subscription_lists").status_code == 200


def test_rate_limit_answers_429_above_it(sim, vibes):
    sim.set_rate_limit(5)
    statuses = [vibes.get("/mobiledb/subscription_lists").status_code for _ in range(12)]
    assert statuses.count(429) >= 1
    assert statuses[:5] == [200] * 5 or statuses.count(200) >= 5


def test_control_api_is_never_faulted(sim):
    sim.add_fault("status", status=500, count=None)
    assert requests.get(f"{sim.url}/_sim/health", timeout=5).status_code == 200
