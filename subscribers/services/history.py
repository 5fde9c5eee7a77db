"""What every service shares: where a change came from, and the one way a history row is made."""

from datetime import datetime

import django.dispatch
from django.utils import timezone

from ..models import Source, SubscriptionEvent

#: Sent inside the writing transaction with the history rows just saved (``events``), by
#: ``history_record`` and by the batch path's one ``bulk_create`` (services/bulk.py), so a
#: receiver sees every row however it was written: webhooks/record.py records its events.
history_recorded = django.dispatch.Signal()


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
    event = SubscriptionEvent.objects.create(
        person=person,
        kind=kind,
        source=source,
        occurred_at=occurred_at or timezone.now(),
        staff_user=staff_user,
        callback=callback,
        note=note,
        **fields,
    )
    history_recorded.send(sender=SubscriptionEvent, events=[event])
    return event


def jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value
