"""Delivering webhooks: signed by the Standard Webhooks scheme, in order per person,
retried with backoff, a failing endpoint disabled and shown in Needs attention, replay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.stalls import stall_figures
from subscribers import services
from subscribers.models import Source, SubscriptionList
from webhooks import deliver
from webhooks.models import WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(db):
    return [
        SubscriptionList.objects.create(list_id=i, name=f"List {i}", acquisition_campaign_id="c")
        for i in ("1234", "1240")
    ]


def changes_for(mdn, lists):
    person = services.person_create(source=Source.ADMIN, mdn=mdn)
    for sub_list in lists:
        services.subscription_request(
            person=person, subscription_list=sub_list, source=Source.ADMIN
        )
    services.person_opt_out_all(person=person, source=Source.ADMIN)
    return person


def send_all(endpoint):
    for endpoint_id, key in deliver.due_pairs():
        deliver.deliver_pair(endpoint_id=endpoint_id, ordering_key=key)


def test_every_delivery_is_signed_and_arrives_once_in_order(endpoint, receiver, lists):
    first = changes_for("+14155550132", lists)
    second = changes_for("+14155550133", lists)
    send_all(endpoint)
    send_all(endpoint)  # nothing is sent twice
    assert receiver.bad_signatures == 0
    ids = receiver.ids()
    assert len(ids) == len(set(ids)) == 8
    for person in (first, second):
        mine = [e for e in receiver.events() if e["data"]["person"]["mdn"] == person.mdn]
        assert [e["type"] for e in mine] == [
            "subscription.pending",
            "subscription.pending",
            "subscription.opted_out",
            "subscription.opted_out",
        ]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_a_wrong_secret_fails_verification(endpoint, receiver, lists):
    receiver.secret = "whsec_" + "A" * 32
    changes_for("+14155550132", lists[:1])
    send_all(endpoint)
    assert receiver.bad_signatures == 1 and receiver.accepted == []


def test_a_failed_delivery_waits_its_backoff_and_holds_back_later_events(
    endpoint, receiver, lists, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [60, 60]
    changes_for("+14155550132", lists[:1])
    receiver.down = True
    send_all(endpoint)
    first = WebhookDelivery.objects.order_by("id").first()
    assert (first.state, first.attempts) == ("pending", 1)
    assert first.next_attempt_at > timezone.now()
    assert len(receiver.refused) == 1  # the later events wait behind it
    assert deliver.due_pairs() == []
    receiver.down = False
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    send_all(endpoint)
    assert [e["type"] for e in receiver.events()] == [
        "subscription.pending",
        "subscription.opted_out",
    ]
    assert receiver.ids()[0] == receiver.refused[0]  # the same event id when retried
    assert WebhookAttempt.objects.filter(delivery=first).count() == 2


def test_an_endpoint_failing_through_every_retry_is_disabled_and_needs_attention(
    endpoint, receiver, lists, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    changes_for("+14155550132", lists[:1])
    receiver.down = True
    for _ in range(2):
        send_all(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    failed = WebhookDelivery.objects.get(state="failed")
    assert failed.attempts == 2
    figure = {f.key: f for f in stall_figures()}["webhook_endpoints_disabled"]
    assert figure.problem and figure.value == 1
    # Staff fix the receiver, enable the endpoint and replay the failed delivery.
    receiver.down = False
    endpoint.disabled_at = None
    endpoint.save()
    deliver.delivery_replay(deliveries=WebhookDelivery.objects.filter(pk=failed.pk))
    send_all(endpoint)
    # The replayed one is the oldest pending again, so it goes first: still in order.
    assert receiver.ids()[0] == failed.event.msg_id
    assert [e["type"] for e in receiver.events()] == [
        "subscription.pending",
        "subscription.opted_out",
    ]


def test_old_events_nothing_waits_for_are_pruned(endpoint, receiver, lists, settings):
    settings.WEBHOOK_KEEP_DAYS = 30
    changes_for("+14155550132", lists[:1])
    receiver.down = True
    send_all(endpoint)  # the first fails and waits; the second waits behind it
    later = timezone.now() + timedelta(days=31)
    assert deliver.events_prune(now=later) == 0  # both still wait
    receiver.down = False
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    send_all(endpoint)
    assert deliver.events_prune(now=timezone.now()) == 0  # too recent
    assert deliver.events_prune(now=later) == 2
    assert not WebhookDelivery.objects.exists() and not WebhookAttempt.objects.exists()
