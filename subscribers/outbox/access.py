"""Whether Vibes accepts our API credentials, and waiting until it does again.

A 401 or 403 is about the account, not the push that met it: every other push would meet
it too. So the first one marks access refused (``VibesAccess``, one row), that push and
every later one wait pending without a request to Vibes, and staff see one notice on the
admin index (``config/stalls.py``). Beat's probe asks Vibes one cheap authenticated
question each ``PUSH_ACCESS_PROBE_SECONDS``; once it is answered, access is restored and
the probe task queues every waiting push with the start-up sweep (``repair.sweeps``).
Nobody presses "push now" person by person.
"""

import logging

from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..vibes import errors
from ..vibes.client import VibesClient
from .models import VibesAccess

log = logging.getLogger(__name__)

ROW = 1
RESTORED = "restored"


def access_refused() -> bool:
    return VibesAccess.objects.filter(pk=ROW, refused_since__isnull=False).exists()


def access_refuse(exc: Exception) -> None:
    """Record that Vibes refused our credentials; the first refusal's time is kept."""
    now = timezone.now()
    row, _created = VibesAccess.objects.get_or_create(pk=ROW)
    VibesAccess.objects.filter(pk=ROW).update(
        refused_since=Coalesce("refused_since", Value(now, output_field=DateTimeField())),
        last_error=str(exc)[:2000],
        checked_at=now,
    )
    if row.refused_since is None:
        log.error("Vibes refuses our API credentials (%s): pushes wait until they work", exc)


def access_probe(client: VibesClient | None = None) -> str:
    """While access is refused, ask Vibes once whether it accepts us now. Returns a short
    note; ``RESTORED`` when it does again (the caller then queues every waiting push)."""
    if not access_refused():
        return "accepted"
    client = client or VibesClient.shared()
    try:
        client.get_lists()
    except errors.CredentialsRefused as exc:
        access_refuse(exc)
        return "still refused"
    except errors.VibesError as exc:  # down or slow: that says nothing about credentials
        VibesAccess.objects.filter(pk=ROW).update(checked_at=timezone.now())
        return f"no answer ({exc})"
    VibesAccess.objects.filter(pk=ROW).update(
        refused_since=None, last_error="", checked_at=timezone.now()
    )
    log.warning("Vibes accepts our API credentials again: waiting pushes are queued")
    return RESTORED
