"""The worker's side of the outbox: send one claimed push, then move it on.

``push_send`` is what the ``subscribers.tasks.push_send`` task runs. HTTP happens here (in
the push kinds), outside any transaction; what Vibes answers is written back through the
services with ``Source.PUSH`` (recorded in history, never pushed again). Errors arrive as
``vibes.errors`` types; which state a push moves to is ``states``' business.
"""

import logging

from django.utils import timezone

from ..vibes import errors
from ..vibes.client import VibesClient
from . import states
from .access import access_refused
from .attempts import attempt_recorder
from .kinds import PERFORM, StopPush

log = logging.getLogger(__name__)


def push_send(push_id: int) -> str:
    """Send one outbox row's current state to Vibes; return a short note of the outcome."""
    now = timezone.now()
    push = states.push_claim(push_id, now=now)
    if push is None:
        return "skipped"
    if access_refused():
        return states.push_wait_for_access(push, None)
    generation = push.generation
    client = VibesClient.shared()
    try:
        with client.observing(attempt_recorder(push)):
            note = PERFORM[push.kind](push=push, client=client, started_at=now)
    except errors.CredentialsRefused as exc:
        return states.push_wait_for_access(push, exc)
    except errors.RateLimited as exc:
        return states.push_retry_later(push, exc, at_least=exc.retry_after or 0)
    except (StopPush, errors.VibesError) as exc:
        if exc.retryable:
            return states.push_retry_later(push, exc)
        return states.push_stop(push, exc)
    except Exception as exc:
        log.exception("push %s failed unexpectedly", push_id)
        return states.push_retry_later(push, exc)
    if not states.push_done(push, generation=generation):
        note += "; edited meanwhile, sending again"
    log.info("push %s (%s) %s", push.pk, push.kind, note)
    return note
