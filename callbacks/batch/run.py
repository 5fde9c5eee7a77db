"""Claim a chunk of received events and apply it: in batches where it can, one by one
where it must, always in the chunk's order.

A chunk is claimed with ``FOR UPDATE SKIP LOCKED``, so workers applying at once each take
events no other holds, and the claim lasts until the chunk's transaction ends. Within it,
the events are walked in order (oldest event date first): a run of events the batch
decides is applied as one batch, an event that ``route.needs_single`` sends to its handler
goes through ``apply.event_apply`` in its place, so the outcome is that of applying every
event in turn. A batch that fails for any reason (another process holding a row it needs,
a row the database refuses) is rolled back and its events applied one by one instead,
each keeping its own error.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from subscribers.phone import normalize_from_vibes
from subscribers.services.bulk_update import rows_update

from ..models import CallbackEvent
from .decide import SINGLE, decide
from .intents import intent_of
from .route import needs_single
from .world import World

logger = logging.getLogger(__name__)
Status = CallbackEvent.Status

# Taken before anything else waiting (chunk_apply).
OPT_OUTS = ("subscription_removed",)

# What a batch reads of an event (not the raw body or headers).
FIELDS = (
    "id",
    "callback_type",
    "event_id",
    "event_date",
    "received_at",
    "payload",
    "status",
    "attempts",
    "mdn",
    "person",
)


def chunk_apply(*, size: int, single, opt_outs: bool = False, one_by_one: bool = False) -> int:
    """Claim up to ``size`` received events and apply them; return how many.

    With ``opt_outs`` only waiting opt-outs are claimed, together with every other event
    waiting for the same number: a person's events are still applied in their order, so
    taking opt-outs first changes no outcome. ``single(pk)`` applies one event through
    its handler; with ``one_by_one`` every event goes to it (the per-event path)."""
    with transaction.atomic():
        claim = CallbackEvent.objects.select_for_update(skip_locked=True).filter(
            status=Status.RECEIVED
        )
        if opt_outs:
            waiting = CallbackEvent.objects.filter(
                status=Status.RECEIVED, callback_type__in=OPT_OUTS
            )
            numbers = waiting.exclude(mdn="").values("mdn")
            claim = claim.filter(Q(callback_type__in=OPT_OUTS) | Q(mdn__in=numbers))
        events = list(claim.only(*FIELDS).order_by("event_date", "id")[:size])
        if one_by_one:
            for event in events:
                single(event.pk)
        else:
            events_apply(events, single=single)
    return len(events)


def events_apply(events: list[CallbackEvent], *, single) -> None:
    """Apply ``events`` (claimed, in order): batches where possible, ``single`` where not."""
    start = 0
    while start < len(events):
        if needs_single(events[start]):
            single(events[start].pk)
            start += 1
            continue
        end = start
        while end < len(events) and not needs_single(events[end]):
            end += 1
        segment = events[start:end]
        done = _batch_or_one_by_one(segment, single)
        start += done
        if done < len(segment):  # the batch stopped at an event that needs its handler
            single(events[start].pk)
            start += 1


def _batch_or_one_by_one(events: list[CallbackEvent], single) -> int:
    """Apply a leading part of ``events`` as one batch; return how many it covered."""
    try:
        with transaction.atomic():
            return batch_apply(events)
    except SoftTimeLimitExceeded:
        raise  # the run is out of time: the whole chunk stays received
    except Exception:
        logger.warning(
            "a batch of %s callbacks failed; applying them one by one", len(events), exc_info=True
        )
    for event in events:
        single(event.pk)
    return len(events)


def batch_apply(events: list[CallbackEvent]) -> int:
    """Decide and write ``events`` in order, up to the first that needs its handler;
    return how many were applied."""
    intents = [intent_of(e) for e in events]
    world = World(intents)
    decided = []
    for intent in intents:
        outcome = decide(world, intent)
        if outcome is SINGLE:
            break
        decided.append((intent.event, outcome))
    world.changes.write()
    now = timezone.now()
    for event, outcome in decided:
        event.mdn = normalize_from_vibes(event.mdn)[:32]
        event.attempts += 1
        event.processed_at = now
        event.status, event.error = outcome.status, outcome.note
        if outcome.person is not None:
            event.person = outcome.person
    rows_update(
        CallbackEvent,
        [e for e, _o in decided],
        ["status", "error", "attempts", "processed_at", "person", "mdn"],
    )
    return len(decided)
