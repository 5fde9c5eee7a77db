"""Vibes' echo of an opt-out made here (its DELETE answered with `subscription_removed`,
reason `api_opt_out`) is kept in history; the subscription keeps the opt-out that
happened: who asked, why and when."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import Source, Subscription, SubscriptionEvent

from ..conftest import subscription_event

pytestmark = pytest.mark.django_db

STAFF_AT = datetime(2017, 3, 1, 10, 0, tzinfo=UTC)


def test_the_vibes_echo_of_a_staff_opt_out_keeps_the_staffs_reason(deliver):
    deliver(subscription_event())
    sub = Subscription.objects.select_related("person", "subscription_list").get()
    staff = get_user_model().objects.create_user("mara", is_staff=True)
    services.subscription_cancel(
        person=sub.person,
        subscription_list=sub.subscription_list,
        source=Source.ADMIN,
        staff_user=staff,
        opt_out_reason="user_request",
        occurred_at=STAFF_AT,
    )
    deliver(
        subscription_event(
            "subscription_removed",
            event_id="EVT-ECHO",
            event_date="2017-03-01T10:00:05Z",
            opt_out_date="2017-03-01T10:00:04+0000",
            opt_out_reason="api_opt_out",
        )
    )
    assert CallbackEvent.objects.get(event_id="EVT-ECHO").status == "applied"
    sub.refresh_from_db()
    assert (sub.status, sub.opt_out_reason, sub.opt_out_date) == (
        "opted_out",
        "user_request",
        STAFF_AT,
    )
    opt_outs = SubscriptionEvent.objects.filter(kind="opted_out").order_by("occurred_at")
    assert [(e.source, e.opt_out_reason, e.staff_user_id) for e in opt_outs] == [
        ("admin", "user_request", staff.pk),
        ("vibes_callback", "api_opt_out", None),
    ]
    assert opt_outs[1].callback.event_id == "EVT-ECHO"


def test_an_opt_out_after_an_opt_in_takes_the_reason_vibes_sends(deliver):
    deliver(subscription_event())
    deliver(subscription_event("subscription_removed", event_id="EVT-2", opt_out_reason="x"))
    assert Subscription.objects.get().opt_out_reason == "x"


def test_an_opt_out_with_no_reason_yet_learns_the_reason_from_the_next_one(deliver):
    deliver(subscription_event())
    sub = Subscription.objects.select_related("person", "subscription_list").get()
    services.subscription_cancel(
        person=sub.person,
        subscription_list=sub.subscription_list,
        source=Source.RECONCILE,
        occurred_at=STAFF_AT,
    )
    deliver(
        subscription_event(
            "subscription_removed", event_id="EVT-3", event_date="2017-03-02T00:00:00Z"
        )
    )
    assert Subscription.objects.get().opt_out_reason == "user_opt_out"


def test_a_second_opt_out_for_the_same_reason_is_recorded_and_keeps_the_first_date(deliver):
    deliver(subscription_event())
    deliver(subscription_event("subscription_removed", event_id="EVT-2"))
    deliver(
        subscription_event(
            "subscription_removed",
            event_id="EVT-3",
            event_date="2017-04-01T00:00:00Z",
            opt_out_date="2017-04-01T00:00:00+0000",
        )
    )
    sub = Subscription.objects.get()
    assert sub.opt_out_date == datetime(2017, 2, 18, 15, 34, 52, tzinfo=UTC)
    callbacks = SubscriptionEvent.objects.filter(kind="opted_out").values_list(
        "callback__event_id", flat=True
    )
    assert sorted(callbacks) == ["EVT-2", "EVT-3"]
