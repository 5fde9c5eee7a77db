"""A list created at Vibes gets its callbacks within a minute, end to end: the simulator's
subscription_list_added reaches the real endpoint, a real worker applies it and, after the
commit, registers the new list's callbacks at the simulator."""

import io
import time

import pytest
import requests
from django.core.management import call_command

from callbacks import handoff
from subscribers.outbox import publish as publish_module
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TOKEN = "tok-" + "r" * 40


@pytest.fixture
def kicks():
    """The endpoint's real request for a worker run (tests/callbacks/conftest.py records
    it instead), so the worker applies the callback as in production."""
    handoff._last_kick, handoff._in_flight = 0.0, None
    publish_module.broker_reset()


def test_a_list_created_at_vibes_is_registered_within_a_minute(
    celery_worker_process, vibes_simulator, live_server, settings
):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.VIBES_CALLBACK_BASE_URL = live_server.url
    call_command("vibes_register_callbacks", "--base-url", live_server.url, stdout=io.StringIO())
    url = f"{live_server.url}/callbacks/vibes/{TOKEN}/"
    celery_worker_process.env.update(
        subprocess_env(
            **vibes_simulator.env(),
            CALLBACK_TOKENS=TOKEN,
            VIBES_CALLBACK_BASE_URL=live_server.url,
        )
    )
    celery_worker_process.start()

    created = time.monotonic()
    answer = requests.post(
        f"{vibes_simulator.url}/_sim/lists", json={"id": "1299", "name": "Flash sales"}, timeout=5
    )
    assert answer.status_code == 200

    def registered():
        with vibes_simulator.state.lock:
            return {
                c.callback_type
                for c in vibes_simulator.state.callbacks.values()
                if c.filter.get("list_id") == "1299" and c.url == url
            }

    wait_for(
        lambda: registered() == {"subscription_removed", "subscription_added"},
        60,
        "the new list's callbacks at the simulator",
    )
    assert time.monotonic() - created < 60
    [delivery] = vibes_simulator.deliveries(callback_type="subscription_list_added")
    assert delivery.outcome == "delivered"
