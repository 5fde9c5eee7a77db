"""Opt-out deadlines: every opt-out, from any source, until Vibes confirms it.

An opt-out made here (admin, preference page, system) is open until Vibes confirms it: the
push's DELETE answered (outbox/kinds/subscription.py, erasure.py), a Vibes callback or
import reporting the opt-out, or reconcile reading it (repair/reconcile.py). An opt-out
that came from Vibes is confirmed as it arrives. Each gets an internal target
(``OPTOUT_CONFIRM_TARGET_SECONDS`` after it) and the FCC's due time, ten business days
(``OPTOUT_DUE_BUSINESS_DAYS``; weekends skipped, public holidays not: the due time errs
early). Reads and writes only its own model, so the services may call it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import OptOutDeadline, Source


def business_days_after(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday), at the same time of day."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def opt_out_recorded(
    *,
    person,
    subscription_list,
    source: str,
    occurred_at: datetime,
    event=None,
    reason: str = "",
    repeat: bool = False,
) -> OptOutDeadline | None:
    """An opt-out was applied (``subscription_set_state``). From Vibes it confirms the open
    one of the same subscription, or is recorded as confirmed; from here it opens one. A
    repeat (the subscription was already opted out) opens nothing."""
    now = timezone.now()
    from_vibes = source in Source.from_vibes()
    if from_vibes and confirm(person=person, subscription_list=subscription_list, how=source):
        return None
    if repeat or open_for(person, subscription_list).exists():
        return None  # a repeat, or already waiting for Vibes: the first opt-out's clock runs
    return OptOutDeadline.objects.create(
        person=person,
        subscription_list=subscription_list,
        event=event,
        source=source,
        opt_out_reason=reason[:64],
        opted_out_at=occurred_at,
        target_at=occurred_at + timedelta(seconds=settings.OPTOUT_CONFIRM_TARGET_SECONDS),
        due_at=business_days_after(occurred_at, settings.OPTOUT_DUE_BUSINESS_DAYS),
        confirmed_at=now if from_vibes else None,
        confirmed_how=source if from_vibes else "",
    )


def open_for(person, subscription_list=None):
    rows = OptOutDeadline.objects.filter(person_id=person.pk, confirmed_at__isnull=True)
    if subscription_list is not None:
        rows = rows.filter(subscription_list_id=subscription_list.pk)
    return rows


def confirm(*, person, subscription_list=None, how: str) -> int:
    """Close the open deadlines of ``person`` (on one list, or all): Vibes confirmed."""
    return open_for(person, subscription_list).update(
        confirmed_at=timezone.now(), confirmed_how=how[:32]
    )


def past_target(now: datetime | None = None):
    """Open opt-outs past the internal target (the admin index's figure)."""
    return OptOutDeadline.objects.filter(
        confirmed_at__isnull=True, target_at__lt=now or timezone.now()
    )
