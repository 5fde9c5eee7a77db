"""The uncovered-lists sweep: re-read from Vibes the subscribers of lists whose opt-outs
reach us by no callback, because the registration plan left their ``subscription_removed``
out (over Vibes' limit) or Vibes refused it (callbacks/registering.py).

Vibes has no "subscribers of a list" call (docs/vibes.md, "Calling the API"), so the
persons read are those this database has open (subscribed or pending) on such a list,
in id order, continuing each run from where the previous one stopped and starting over
at the end. Each read is ``person_reconcile`` within the sweep's own budget
(``VIBES_UNCOVERED_BUDGET`` requests a second, repair/drift.py's machinery): an opt-out
made at Vibes, by text or by staff, is applied here within one full round.
"""

from collections.abc import Iterator, Sequence

from django.conf import settings
from django.core.cache import cache

from ..models import Subscription
from ..vibes.client import VibesClient
from .drift import SEEN_KEY, DriftResult, reread_within_budget

CURSOR_KEY = "vibes-uncovered:cursor"


def uncovered_candidates(list_ids: Sequence[str], limit: int) -> Iterator[int]:
    """Persons open on ``list_ids`` after the cursor, by id. The cursor passes a person
    once the sweep has asked for the next one, so one the budget stopped at (handed out,
    never read) comes first in the next run."""
    after = cache.get(CURSOR_KEY) or 0
    found = list(
        Subscription.objects.open()
        .filter(subscription_list__list_id__in=list_ids, person_id__gt=after)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )
    for person_id in found:
        if not cache.get(SEEN_KEY.format(person_id)):  # read by a sweep minutes ago
            yield person_id
        cache.set(CURSOR_KEY, person_id, None)
    if len(found) < limit:
        cache.delete(CURSOR_KEY)  # the round is done: the next run starts at the first


def uncovered_sweep(
    *,
    list_ids: Sequence[str],
    client: VibesClient,
    budget: float | None = None,
    seconds: float | None = None,
) -> DriftResult:
    """One run over the subscribers of ``list_ids`` (none: nothing to do)."""
    if not list_ids:
        return DriftResult()
    return reread_within_budget(
        lambda limit: uncovered_candidates(list_ids, limit),
        client=client,
        budget=settings.VIBES_UNCOVERED_BUDGET if budget is None else budget,
        seconds=seconds or min(settings.VIBES_UNCOVERED_SWEEP_SECONDS * 0.8, 80.0),
    )
