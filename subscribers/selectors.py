"""Reads written out in several places: one definition each.

Writes are ``services``' business; these only query. ``Subscription.objects.open()`` is
the "on the list or waiting for the confirmation text" filter.
"""

from django.utils import timezone

from .models import NumberProof, Person, Subscription, SubscriptionList


def lists_open_for(persons) -> list[SubscriptionList]:
    """The lists any of ``persons`` (a queryset or list) is on or waiting for, by name."""
    return list(
        SubscriptionList.objects.filter(
            subscriptions__person__in=persons, subscriptions__status__in=Subscription.OPEN
        )
        .distinct()
        .order_by("name")
    )


def person_has_open_subscription(person: Person) -> bool:
    return Subscription.objects.filter(person=person).open().exists()


def number_lists(person: Person) -> list[SubscriptionList]:
    """The lists whose acquisition campaign texts a new number for confirmation.

    Every list the person is on or waiting for; a person on no list gets the first public
    list that can be joined online (the page says so: confirming joins it).
    """
    on = list(
        SubscriptionList.objects.filter(
            subscriptions__person=person, subscriptions__status__in=Subscription.OPEN
        )
        .exclude(acquisition_campaign_id="")
        .order_by("name", "pk")
    )
    if on:
        return on
    first = (
        SubscriptionList.objects.filter(is_public=True)
        .exclude(acquisition_campaign_id="")
        .order_by("name", "pk")
        .first()
    )
    return [first] if first else []


def number_lists_stuck(person: Person) -> list[SubscriptionList]:
    """The lists the person is on that no new number can join online (no web campaign):
    they end with the old number (outbox/kinds/old_number.py)."""
    return list(
        SubscriptionList.objects.filter(
            subscriptions__person=person,
            subscriptions__status__in=Subscription.OPEN,
            acquisition_campaign_id="",
        ).order_by("name", "pk")
    )


def person_joins_by_number(person: Person, lists: list | None = None) -> SubscriptionList | None:
    """The list a confirmed new number also joins (one the person is not on), else None."""
    lists = number_lists(person) if lists is None else lists
    if (
        not lists
        or Subscription.objects.filter(person=person, subscription_list=lists[0]).open().exists()
    ):
        return None
    return lists[0]


def number_proof_open(person: Person) -> NumberProof | None:
    """The one-time code waiting to be typed back (``services.proofs``), if still good."""
    return (
        NumberProof.objects.filter(
            person=person, closed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )
