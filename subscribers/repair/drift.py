"""The drift sweep: re-read from Vibes the persons most likely out of step, within a
request budget, and close the opt-outs Vibes confirms.

Every ``VIBES_DRIFT_SWEEP_SECONDS`` beat runs one sweep. It may make
``VIBES_DRIFT_BUDGET`` requests a second (a tenth of ``VIBES_RATE_LIMIT`` by default, so
pushes keep the rest of the shared limit) and paces itself to that rate. It reads, in
this order, each person once:

1. persons with an open opt-out whose push failed or stopped,
2. persons with any other open opt-out past its internal target, oldest first,
3. persons with a recent carrier opt-out (disconnect, failed_at_carrier, obsolete_carrier),
4. persons changed in the last ``VIBES_DRIFT_RECENT_HOURS``, newest first, continuing
   from where the previous sweep stopped.

A person read in the last ten minutes is skipped. Each read is ``person_reconcile``
(repair/reconcile.py): what differs is applied through the services, an opt-out Vibes has
closes its deadline, one it lacks is pushed again. All four reads are on indexes:
the deadlines' partial ones, the outbox's (person, state), persons' last change.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..models import OptOutDeadline, Person, Push
from ..vibes import errors
from ..vibes.client import VibesClient
from .reconcile import person_reconcile

CARRIER_REASONS = ("disconnect", "failed_at_carrier", "obsolete_carrier")
SEEN_SECONDS = 600
CURSOR_KEY = "vibes-drift:cursor"
SEEN_KEY = "vibes-drift:seen:{}"


@dataclass
class DriftResult:
    persons: int = 0
    requests: int = 0
    confirmed: int = 0
    changed: int = 0
    errors: int = 0
    budget_spent: bool = False

    def summary(self) -> str:
        return (
            f"{self.persons} person(s) re-read in {self.requests} request(s): "
            f"{self.changed} changed, {self.confirmed} opt-out(s) confirmed, "
            f"{self.errors} error(s)" + ("; budget spent" if self.budget_spent else "")
        )


def _open_deadline_persons(now: datetime, limit: int) -> Iterator[int]:
    open_rows = OptOutDeadline.objects.filter(confirmed_at__isnull=True).order_by(
        "opted_out_at", "id"
    )
    oldest = list(open_rows.values_list("person_id", flat=True)[:limit])
    stuck = set(
        Push.objects.filter(
            person_id__in=oldest, state__in=[Push.State.FAILED, Push.State.STOPPED]
        ).values_list("person_id", flat=True)
    )
    yield from (p for p in oldest if p in stuck)
    late = open_rows.filter(target_at__lt=now).values_list("person_id", flat=True)[:limit]
    yield from (p for p in late if p not in stuck)


def _carrier_opt_out_persons(now: datetime, limit: int) -> Iterator[int]:
    since = now - timedelta(hours=settings.VIBES_DRIFT_RECENT_HOURS)
    yield from (
        OptOutDeadline.objects.filter(opted_out_at__gte=since, opt_out_reason__in=CARRIER_REASONS)
        .order_by("-opted_out_at")
        .values_list("person_id", flat=True)[:limit]
    )


def _recently_changed_persons(now: datetime, limit: int) -> Iterator[int]:
    since = now - timedelta(hours=settings.VIBES_DRIFT_RECENT_HOURS)
    rows = Person.objects.filter(last_change_at__gte=since)
    cursor = cache.get(CURSOR_KEY)
    if cursor:
        at, pk = datetime.fromisoformat(cursor[0]), cursor[1]
        rows = rows.filter(last_change_at__lte=at).exclude(last_change_at=at, id__gte=pk)
    found = list(
        rows.order_by("-last_change_at", "-id").values_list("id", "last_change_at")[:limit]
    )
    if len(found) < limit:
        cache.delete(CURSOR_KEY)  # the window is done: the next sweep starts at the newest
    for pk, at in found:
        cache.set(CURSOR_KEY, (at.isoformat(), pk), None)
        yield pk


def drift_candidates(now: datetime, limit: int) -> Iterator[int]:
    seen: set[int] = set()
    for source in (_open_deadline_persons, _carrier_opt_out_persons, _recently_changed_persons):
        for person_id in source(now, limit):
            if person_id in seen or cache.get(SEEN_KEY.format(person_id)):
                continue
            seen.add(person_id)
            yield person_id


def drift_sweep(
    *,
    client: VibesClient,
    budget: float | None = None,
    seconds: float | None = None,
    now: datetime | None = None,
) -> DriftResult:
    """One sweep: at most ``budget`` requests a second for ``seconds`` (by default the
    settings'; a run ends before the next one starts and within the task's time limit)."""
    now = now or timezone.now()
    return reread_within_budget(
        lambda limit: drift_candidates(now, limit),
        client=client,
        budget=settings.VIBES_DRIFT_BUDGET if budget is None else budget,
        seconds=seconds or min(settings.VIBES_DRIFT_SWEEP_SECONDS * 0.8, 80.0),
    )


def reread_within_budget(
    candidates: Callable[[int], Iterable[int]],
    *,
    client: VibesClient,
    budget: float,
    seconds: float,
) -> DriftResult:
    """Re-read persons (``person_reconcile``) from ``candidates(limit)`` in turn, at most
    ``budget`` requests a second for ``seconds``, paced to that rate. The drift sweep and
    the uncovered-lists sweep (repair/uncovered.py) both spend their budget here."""
    result = DriftResult()
    if budget <= 0:
        return result
    allowed = max(1, int(budget * seconds))
    started = time.monotonic()

    def count(*_args):
        result.requests += 1

    with client.observing(count):
        for person_id in candidates(allowed):
            if result.requests >= allowed:
                result.budget_spent = True
                break
            # Pace to the budget: never more than ``budget`` requests a second on average.
            ahead = result.requests / budget - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
            person = Person.objects.filter(pk=person_id).first()
            if person is None:
                continue
            cache.set(SEEN_KEY.format(person_id), 1, SEEN_SECONDS)
            result.persons += 1
            try:
                outcome = person_reconcile(person=person, client=client)
            except errors.VibesError:
                result.errors += 1
                continue
            result.confirmed += len(outcome.confirmed)
            result.changed += bool(outcome.changed)
    # One person's reads (two or three requests) may end a little past the budget.
    result.budget_spent = result.budget_spent or result.requests >= allowed
    return result
