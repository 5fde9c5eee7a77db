# ruff: noqa: F811  (fixtures imported from push_fixtures and test_number_push)
"""The participant answer's expire_date, from the simulator, is when a waiting join or new
number ends here (subscribers/repair/expiry.py)."""

import pytest

from subscribers import services, tasks
from subscribers.models import Person, Source, Subscription
from subscribers.outbox.models import Push
from subscribers.repair import expiry
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401
from tests.subscribers.outbox.test_number_push import (  # noqa: F401
    NEW,
    lists,
    request_new_number,
    subscriber,
)

pytestmark = pytest.mark.django_db(transaction=True)


def expire_dates(sim, mdn) -> list:
    """The expire dates of the simulator's waiting participants for ``mdn``: what its
    answers to Add Participant carried."""
    return [p.expire_date.replace(microsecond=0) for p in sim.state.pending(mdn=mdn)]


def test_a_join_pushed_to_vibes_takes_the_answers_expire_date(
    vibes_simulator, subscriber, lists, published
):
    services.subscription_request(
        person=subscriber, subscription_list=lists[1], source=Source.PREFERENCE_PAGE
    )
    sub = Subscription.objects.get(person=subscriber, subscription_list=lists[1])
    push = Push.objects.get(person=subscriber, kind=Push.Kind.SUBSCRIPTION)
    assert tasks.push_send(push.pk).startswith("confirmation pending")
    [expires] = expire_dates(vibes_simulator, subscriber.mdn)
    sub.refresh_from_db()
    assert sub.confirm_by == expires
    assert expiry.pending_expire(now=expires).joins == 1


def test_a_new_number_pushed_to_vibes_takes_the_latest_expire_date(
    vibes_simulator, subscriber, published
):
    push = request_new_number(subscriber)
    assert tasks.push_send(push.pk).startswith("confirmation text sent")
    dates = expire_dates(vibes_simulator, NEW)
    assert len(dates) == 1  # Weekly deals' campaign (the only list with one here)
    person = Person.objects.get(pk=subscriber.pk)
    assert person.pending_mdn_until == max(dates)
    assert expiry.pending_expire(now=max(dates)).numbers == 1
