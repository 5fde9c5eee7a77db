"""Needs attention: the worker or beat not running (subscribers/heartbeat.py)."""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from subscribers.heartbeat import last_seen
from subscribers.models import Heartbeat

from .figures import Figure, age


def worker_figures(now: datetime) -> list[Figure]:
    """A process never seen is not flagged: a database that no worker has used yet (tests,
    a fresh install before `make run`) is not a stopped worker."""
    seen = last_seen()
    limit = settings.STALL_HEARTBEAT_SECONDS
    beat = age(seen.get(Heartbeat.Process.BEAT), now)
    worker = age(seen.get(Heartbeat.Process.WORKER), now)
    return [
        Figure(
            "beat_last_seen_age",
            _("the scheduler (Celery beat) was last seen this long ago"),
            beat,
            bool(beat and beat > limit),
            unit="seconds",
            meaning=_(
                "Nothing periodic runs: confirmations that went unanswered do not expire, "
                "failed pushes are not retried, and the worker cannot be checked."
            ),
            fix=_("Start beat: celery -A config beat (in development, make run starts it)."),
        ),
        Figure(
            "worker_last_seen_age",
            _("a Celery worker was last seen this long ago"),
            worker,
            bool(worker and worker > limit),
            unit="seconds",
            meaning=_(
                "Changes made here (opt-outs too) are not sent to Vibes, and what Vibes "
                "reports (opt-outs too) is not applied here."
            ),
            fix=_(
                "Start a worker: celery -A config worker (in development, make run starts "
                "it). Nothing is lost: everything waiting goes out once it runs."
            ),
        ),
    ]
