"""The sweep that ends confirmations nobody answered.

A join (a subscription waiting for its confirmation text) or a new number waiting for the
phone's "Y" ends as expired past its deadline: the campaign's ``expire_date`` when Vibes
gave one (the participant answer or the ack_participant callbacks), else
``PENDING_CONFIRMATION_HOURS`` after the request. Vibes lets such a request lapse without
a word (docs/vibes.md), so nothing would end it here otherwise.

Cheap at any size: each run reads the waiting rows past their deadline through a partial
index (``subscription_confirm_by_idx``, ``person_pending_until_idx``), oldest deadline
first, at most ``PENDING_EXPIRY_BATCH`` of each; the rest wait for the next run. Each row
is ended by its service in a transaction of its own, which checks again under a row lock.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .. import services
from ..models import Person, Source, Subscription


@dataclass(frozen=True)
class Expired:
    joins: int
    numbers: int
    more: bool  # a batch was full: the next run has more to end

    def summary(self) -> str:
        more = "; more wait for the next run" if self.more else ""
        return f"{self.joins} join(s) and {self.numbers} new number(s) expired{more}"


def joins_past_deadline(now: datetime) -> QuerySet:
    """Joins waiting past their deadline, oldest deadline first (subscription_confirm_by_idx)."""
    return Subscription.objects.filter(
        status=Subscription.Status.PENDING, confirm_by__lte=now
    ).order_by("confirm_by")


def numbers_past_deadline(now: datetime) -> QuerySet:
    """New numbers waiting past their deadline, oldest first (person_pending_until_idx)."""
    return (
        Person.objects.exclude(pending_mdn="")
        .filter(pending_mdn_until__lte=now)
        .order_by("pending_mdn_until")
    )


def joins_due(now: datetime, limit: int) -> list[int]:
    return list(joins_past_deadline(now).values_list("pk", flat=True)[:limit])


def numbers_due(now: datetime, limit: int) -> list[tuple[int, str]]:
    return list(numbers_past_deadline(now).values_list("pk", "pending_mdn")[:limit])


def pending_expire(*, now: datetime | None = None, limit: int | None = None) -> Expired:
    """End every join and new number past its deadline, up to ``limit`` of each."""
    now = now or timezone.now()
    limit = limit or settings.PENDING_EXPIRY_BATCH
    join_ids = joins_due(now, limit)
    joins = sum(services.subscription_expire(subscription_id=pk, now=now) for pk in join_ids)
    waiting = numbers_due(now, limit)
    numbers = 0
    for person_id, mdn in waiting:
        person = Person.objects.filter(pk=person_id).first()
        if person is not None and services.person_withdraw_number(
            person=person,
            mdn=mdn,
            reason="expired",
            source=Source.SYSTEM,
            occurred_at=person.pending_mdn_until or now,
            due_by=now,
        ):
            numbers += 1
    return Expired(joins=joins, numbers=numbers, more=limit in (len(join_ids), len(waiting)))
