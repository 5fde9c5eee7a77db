"""Fixtures for the push tests: a fake Vibes, and a broker stand-in that records ids."""

import pytest

from subscribers.outbox import publish
from subscribers.outbox.record import SEND_TASK
from subscribers.vibes.ratelimit import reset_shared_rate_limit
from tests.fake_vibes import FakeVibes


@pytest.fixture
def fake_vibes(settings):
    fake = FakeVibes(company_key="ck-test")
    settings.VIBES_API_URL = fake.start()
    settings.VIBES_COMPANY_KEY = "ck-test"
    settings.VIBES_USERNAME = "api@example.com"
    settings.VIBES_PASSWORD = "secret-password"
    settings.VIBES_RATE_LIMIT = 1000.0
    settings.VIBES_TIMEOUT = (1.0, 1.0)
    reset_shared_rate_limit()
    yield fake
    fake.stop()
    reset_shared_rate_limit()


@pytest.fixture
def fake():
    """A fake Vibes for other processes (a real worker) to reach: no settings changed here."""
    f = FakeVibes(company_key="ck-test")
    f.start()
    yield f
    f.stop()


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
