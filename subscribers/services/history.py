"""What every service shares: where a change came from, and the one way a history row is made."""

from datetime import datetime

from django.utils import timezone

from ..models import Source, SubscriptionEvent


def is_from_vibes(source: str) -> bool:
    """Changes from Vibes itself run with pushes suppressed: never pushed back."""
    return source in Source.from_vibes()


def history_record(
    *,
    person,
    kind: str,
    source: str,
    occurred_at: datetime | None = None,
    staff_user=None,
    evidence=None,
    callback=None,
    note: str = "",
    **fields,
) -> SubscriptionEvent:
    """Append one row to the opt-in history: what happened, from where, with what proof.

    ``evidence`` (a ``preferences.evidence.Evidence``) adds the address, browser, page and
    wording; ``fields`` are the row's other columns (list, reason, campaign, changes…).
    """
    if evidence is not None:
        fields.update(evidence.as_fields())
    return SubscriptionEvent.objects.create(
        person=person,
        kind=kind,
        source=source,
        occurred_at=occurred_at or timezone.now(),
        staff_user=staff_user,
        callback=callback,
        note=note,
        **fields,
    )


def jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value
