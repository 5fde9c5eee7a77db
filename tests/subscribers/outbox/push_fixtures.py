"""Fixtures for the push tests: the simulator as Vibes, and a broker stand-in that records
ids; helpers to read what the simulator was sent and to set up what Vibes already knows."""

import re
from types import SimpleNamespace

import pytest

from subscribers.outbox import publish
from subscribers.outbox.record import SEND_TASK
from subscribers.vibes.ratelimit import reset_shared_rate_limit
from tests.subscribers.outbox.worker_helpers import push_env

#: Custom fields the push tests write besides the demo account's (the simulator, like
#: Vibes, refuses a field the account does not define).
TEST_FIELDS = {"city", "a", "b", "n"}


@pytest.fixture
def vibes(vibes_simulator, settings):
    """The simulator, this process's settings pointing at it, its rate limit out of the way."""
    vibes_simulator.state.custom_fields.update(TEST_FIELDS)
    settings.VIBES_RATE_LIMIT = 1000.0
    settings.VIBES_TIMEOUT = (1.0, 1.0)
    reset_shared_rate_limit()
    yield vibes_simulator
    reset_shared_rate_limit()


def calls(sim, method=None, pattern=None) -> list[SimpleNamespace]:
    """The API requests the simulator answered, in order, with the ``/companies/<key>``
    prefix taken off the path; ``pattern`` is a regular expression on that path."""
    prefix = f"/companies/{sim.company_key}"
    found = []
    with sim.state.lock:
        log = list(sim.request_log)
    for request in log:
        path = request["path"].removeprefix(prefix).rstrip("/") or "/"
        if method and request["method"] != method:
            continue
        if pattern is None or re.search(pattern, path):
            found.append(SimpleNamespace(**{**request, "path": path}))
    return found


def add_person(sim, *, person_key, mdn=None, person_id=None, custom_fields=None):
    """A person Vibes already has (no callback fired), like one added there earlier."""
    with sim.state.lock:
        person = sim.state._new_person(mdn=mdn, person_key=person_key, person_id=person_id)
        person.custom_fields.update(custom_fields or {})
        return person


@pytest.fixture
def published(monkeypatch):
    """Each push published lands here as (push_id, countdown) instead of on the broker."""
    sent: list[tuple[int, float | None]] = []

    def send(task, calls, countdown):
        if task == SEND_TASK:
            sent.extend((args[0], countdown) for args in calls)
        return len(calls)

    monkeypatch.setattr(publish, "_send", send)
    publish.broker_reset()
    yield sent
    publish.broker_reset()


def worker_env(sim, **extra) -> dict:
    """Environment for a worker (or beat, or web) process talking to ``sim``."""
    return push_env(sim.url, **{**sim.env(), **extra})
