"""Store a callback exactly as received: one INSERT on the hot path.

The first delivery of a (type, event id) takes the unique ``dedupe_key``; a repeat,
sequential or concurrent, fails that constraint and is stored again without the key, as a
duplicate, so every request is still kept. Parsed fields the database refuses (whatever
``parsing`` did not foresee) are dropped and the raw body kept, as rejected.
"""

import logging
from contextlib import nullcontext

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from subscribers.phone import normalize_from_vibes

from .handlers import HANDLERS
from .models import CallbackEvent
from .parsing import ParsedEvent, mdn_of, person_of

logger = logging.getLogger(__name__)
Status = CallbackEvent.Status


def number_named(payload: dict) -> str:
    """The number a body names, in E.164 when it reads as one: the person's, or a text's
    sender (``person_of`` reads both). Best effort: never raises, "" when
    there is none. Stored with every request, whatever becomes of it, so that an erasure
    finds a callback by its number in whatever form Vibes sent it (services/erasure.py)."""
    try:
        raw = mdn_of(person_of(payload))
        return normalize_from_vibes(raw)[:32]
    except Exception:  # noqa: BLE001 - a body we cannot read a number from is still stored
        logger.warning("callback body: no number could be read from it")
        return ""


def event_store(*, parsed: ParsedEvent | None, **fields) -> CallbackEvent:
    """Insert the event; a repeat of an already stored (type, event id) becomes a duplicate."""
    if parsed is not None:
        fields.update(
            callback_type=parsed.callback_type,
            event_id=parsed.event_id,
            event_date=parsed.event_date,
            callback_id=parsed.callback_id,
            delivery_attempt=parsed.delivery_attempt,
            payload=parsed.payload,
            dedupe_key=parsed.dedupe_key,
            number=number_named(parsed.payload),
        )
        if parsed.callback_type not in HANDLERS:
            fields.update(
                status=Status.IGNORED,
                error="Callback type not handled.",
                processed_at=timezone.now(),
            )
        try:
            return _insert(fields)
        except IntegrityError as exc:
            if CallbackEvent.objects.filter(dedupe_key=parsed.dedupe_key).exists():
                fields.update(
                    dedupe_key=None, status=Status.DUPLICATE, error="", processed_at=timezone.now()
                )
            else:  # not a repeat: the database refused the parsed fields themselves
                fields.update(_unstorable(exc))
        except DataError as exc:
            fields.update(_unstorable(exc))
    return CallbackEvent.objects.create(**fields)


def _insert(fields: dict) -> CallbackEvent:
    # In autocommit a failed INSERT leaves nothing to roll back; inside a caller's
    # transaction it needs its own savepoint.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with guard:
        return CallbackEvent.objects.create(**fields)


def _unstorable(exc: Exception) -> dict:
    """What is kept of an event whose parsed fields the database refused: the raw body and
    the reason, as rejected (SQLite's JSON check fails as an IntegrityError, PostgreSQL's
    jsonb as a DataError)."""
    return {
        "payload": None,
        "dedupe_key": None,
        "status": Status.REJECTED,
        "error": f"The parsed body could not be stored ({exc.__class__.__name__}: {exc})."[:2000],
        "processed_at": timezone.now(),
    }
