"""The campaign's expire_date in an ack_participant callback is when a waiting join or
new number ends here too (subscribers/repair/expiry.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from subscribers import services
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.repair import expiry

from ..conftest import ack_event
from .test_number_callbacks import NEW, ack_for_new_number, ana  # noqa: F401

pytestmark = pytest.mark.django_db

EXPIRES = datetime(2017, 2, 16, 15, 39, tzinfo=UTC)  # ack_event's expire_date


@pytest.fixture
def web_list():
    return services.subscription_list_upsert(
        list_id="1234", name="Deals", acquisition_campaign_id="2342312"
    )[0]


def test_a_pending_join_expires_at_the_campaigns_expire_date(deliver, web_list):
    deliver(ack_event("PENDING", event_id="A1", event_date="2017-02-15T15:39:00Z"))
    sub = Subscription.objects.get()
    assert (sub.status, sub.confirm_by) == ("pending", EXPIRES)
    assert expiry.pending_expire(now=EXPIRES - timedelta(seconds=1)).joins == 0
    assert expiry.pending_expire(now=EXPIRES).joins == 1
    sub.refresh_from_db()
    assert (sub.status, sub.opt_out_reason) == ("rejected", "expired")
    event = SubscriptionEvent.objects.get(kind="optin_rejected")
    assert (event.occurred_at, event.opt_out_reason) == (EXPIRES, "expired")


def test_a_confirmation_that_arrives_after_the_expiry_still_subscribes(deliver, web_list):
    deliver(ack_event("PENDING", event_id="A1", event_date="2017-02-15T15:39:00Z"))
    expiry.pending_expire(now=EXPIRES + timedelta(days=1))
    deliver(ack_event("CONFIRMED", event_id="A2", event_date="2017-02-15T16:00:00Z"))
    assert Subscription.objects.get().status == "active"


def test_a_waiting_new_number_takes_the_campaigns_expire_date(deliver, ana):  # noqa: F811
    body = ack_for_new_number("PENDING", "A-1")
    body["participant"]["expire_date"] = "2030-01-02T09:59:00Z"
    deliver(body)
    person = Person.objects.get(pk=ana.pk)
    until = datetime(2030, 1, 2, 9, 59, tzinfo=UTC)
    assert (person.pending_mdn, person.pending_mdn_until) == (NEW, until)
    assert expiry.pending_expire(now=until - timedelta(minutes=1)).numbers == 0
    assert expiry.pending_expire(now=until).numbers == 1
    person.refresh_from_db()
    assert person.pending_mdn == ""
    row = SubscriptionEvent.objects.filter(person=person).latest("id")
    assert (row.source, row.opt_out_reason) == (Source.SYSTEM, "expired")
