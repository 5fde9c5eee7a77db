"""Whether the worker and beat are running, for Needs attention (config/stalls_workers.py).

Beat schedules ``HEARTBEAT_TASK`` every ``HEARTBEAT_SECONDS`` (config/settings/tasks.py):
publishing it records that beat runs (``before_task_publish`` fires in the publishing
process, and only beat publishes this task); running it records that a worker runs. A
starting worker records itself at once. Both are rows in the database, which every
process shares (the cache may be per process).
"""

import logging
from datetime import datetime

from celery.signals import before_task_publish
from django.utils import timezone

from .models import Heartbeat

log = logging.getLogger(__name__)

HEARTBEAT_TASK = "subscribers.tasks.heartbeat"


def seen(process: str, now: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(process=process, defaults={"seen_at": now or timezone.now()})


def last_seen() -> dict[str, datetime]:
    """``{process: when}`` for each process ever seen."""
    return dict(Heartbeat.objects.values_list("process", "seen_at"))


def beat_published(sender=None, **_kwargs) -> None:
    if sender != HEARTBEAT_TASK:
        return
    try:
        seen(Heartbeat.Process.BEAT)
    except Exception:  # noqa: BLE001 - a heartbeat must never stop beat publishing
        log.exception("could not record beat's heartbeat")


def connect() -> None:
    before_task_publish.connect(beat_published, weak=False, dispatch_uid="beat-heartbeat")
