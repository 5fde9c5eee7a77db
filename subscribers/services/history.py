"""What every service shares: where a change came from, and the history row's common fields."""

from datetime import datetime

from django.utils import timezone

from ..models import Source


def is_from_vibes(source: str) -> bool:
    """Changes from Vibes itself run with pushes suppressed: never pushed back."""
    return source in Source.from_vibes()


def history_fields(*, source, occurred_at, staff_user, evidence, callback, note="") -> dict:
    fields = {
        "source": source,
        "occurred_at": occurred_at or timezone.now(),
        "staff_user": staff_user,
        "callback": callback,
        "note": note,
    }
    if evidence is not None:
        fields.update(evidence.as_fields())
    return fields


def jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value
