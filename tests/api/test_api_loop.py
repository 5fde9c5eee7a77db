"""The API on the real topology: PostgreSQL, Redis, a real Celery worker, the Vibes
simulator, a live server, and a webhook receiver on 127.0.0.1.

An opt-in taken by API waits until the phone replies Y to the simulator's confirmation
text; an opt-out by API reaches the simulator as a DELETE; the receiver, down for the
first deliveries, verifies every signature with the standardwebhooks library and sees
each event once, in order for the person.
"""

import time

import pytest
import requests
from django.core.management import call_command

from api.keys import key_issue, keys_revoke
from api.models import ApiClient, ApiKey, Scope
from subscribers.models import Person, Subscription, SubscriptionEvent
from tests.test_end_to_end import wait_until
from tests.webhooks.receiver import Receiver
from webhooks.models import EventType, WebhookEndpoint
from webhooks.signing import secret_new

CALLBACK_TOKEN = "api-loop-callback-token-5d1e9b7a3c"
MDN = "+14155550132"
EVIDENCE = {
    "where": "https://shop.example/checkout",
    "wording": "Text me deals. Msg & data rates may apply. Reply STOP to stop.",
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0",
    "time": "2026-03-01T12:00:00Z",
}


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def key(transactional_db):
    client = ApiClient.objects.create(name="checkout", scopes=list(Scope.values))
    return key_issue(client=client)


def call(live_server, key, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {key}"}
    return requests.request(
        method, f"{live_server.url}{path}", headers=headers, timeout=10, **kwargs
    )


def status_of(list_id):
    sub = Subscription.objects.filter(person__mdn=MDN, subscription_list__list_id=list_id).first()
    return sub.status if sub else None


@pytest.mark.services
def test_api_opt_in_waits_for_y_opt_out_reaches_vibes_and_webhooks_arrive_once_in_order(
    live_server, vibes_simulator, celery_worker_process, settings, receiver, key
):
    sim = vibes_simulator
    settings.CALLBACK_TOKENS = [CALLBACK_TOKEN]
    call_command("demo_data", persons=0, verbosity=0)
    sim.register_callbacks(f"{live_server.url}/callbacks/vibes/{CALLBACK_TOKEN}/")
    endpoint = WebhookEndpoint.objects.create(
        url=receiver.url, event_types=list(EventType.values), secret=secret_new()
    )
    receiver.secret = endpoint.secret
    receiver.down = True  # the receiver is out when the first events go
    celery_worker_process.env.update(sim.env())
    celery_worker_process.env["WEBHOOK_RETRY_DELAYS"] = ",".join(["1"] + ["2"] * 20)
    celery_worker_process.start()

    # 1. The checkout records an opt-in with its evidence: pending, never active at once.
    joined = call(
        live_server,
        key,
        "POST",
        "/api/v1/subscriptions/",
        json={"mdn": "(415) 555-0132", "list": "1234", "evidence": EVIDENCE},
    )
    assert joined.status_code == 202, joined.text
    assert status_of("1234") == Subscription.Status.PENDING
    wait_until(lambda: sim.state.pending(mdn=MDN), what="the simulator's confirmation request")
    time.sleep(1.0)
    assert status_of("1234") == Subscription.Status.PENDING  # no Y yet: still waiting
    consent = call(live_server, key, "GET", "/api/v1/consent/", params={"mdn": MDN, "list": "1234"})
    assert consent.json()["status"] == "pending" and consent.json()["may_text"] is False

    # The receiver comes back after refusing a few attempts.
    wait_until(lambda: len(receiver.refused) >= 2, what="deliveries refused during the outage")
    receiver.down = False

    # 2. The phone replies Y: the callbacks make it active.
    sim.reply(mdn=MDN, text="Y")
    wait_until(lambda: status_of("1234") == Subscription.Status.ACTIVE, what="active after Y")
    person = Person.objects.get(mdn=MDN)
    kinds = list(
        SubscriptionEvent.objects.filter(person=person, subscription_list__list_id="1234")
        .order_by("occurred_at", "id")
        .values_list("kind", "source")
    )
    assert kinds[0] == ("optin_requested", "api")
    assert ("opted_in", "vibes_callback") in kinds
    consent = call(live_server, key, "GET", "/api/v1/consent/", params={"mdn": MDN, "list": "1234"})
    assert consent.json()["may_text"] is True

    # 3. The checkout records an opt-out: applied at once, and Vibes is told.
    out = call(live_server, key, "POST", "/api/v1/opt-outs/", json={"mdn": MDN, "list": "1234"})
    assert out.json()["lists"] == [{"list": "1234", "changed": True}]
    assert status_of("1234") == Subscription.Status.OPTED_OUT
    delete = sim.wait_for_request(method="DELETE", path_contains="/subscriptions/1234", timeout=40)
    assert delete, "the API opt-out never reached Vibes"

    # 4. Every event once, signed, in order for the person, the refused ones included.
    def list_events():
        return [
            e["type"]
            for e in receiver.events()
            if e["type"].startswith("subscription.") and e["data"]["list"] == "1234"
        ]

    wait_until(
        lambda: (
            list_events()
            == ["subscription.pending", "subscription.opted_in", "subscription.opted_out"]
        ),
        what="the list's three events at the receiver, in order",
    )
    time.sleep(3)  # anything sent twice would arrive by now
    ids = receiver.ids()
    assert receiver.bad_signatures == 0 and len(ids) == len(set(ids))
    assert set(receiver.refused) <= set(ids)  # what the outage refused came later
    assert all(e["data"]["person"].get("mdn") in (MDN, None) for e in receiver.events())


def test_a_revoked_key_is_refused_at_once_over_http(live_server, key):
    path = "/api/v1/lists/"
    assert call(live_server, key, "GET", path).status_code == 200
    keys_revoke(keys=ApiKey.objects.all())
    refused = call(live_server, key, "GET", path)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
