"""Registrations follow the account: a list or campaign that appears gets its callbacks
from the worker within seconds, never from the request or the transaction that saw it.

``registration_request`` is called where a new list or campaign is learnt (the
``subscription_list_added`` handler, ``vibes_sync_lists``). After the commit it publishes
one run of ``callbacks.tasks.callbacks_register`` a few seconds later; further requests
until that run starts add nothing, so 25 new lists make one run. Beat's daily run
(``CELERY_BEAT_SCHEDULE``) repairs whatever a lost publish or Vibes' UI changed.
"""

from django.core.cache import cache
from django.db import transaction

from subscribers.outbox.publish import publish

REGISTER_TASK = "callbacks.tasks.callbacks_register"
QUEUED_KEY = "callbacks-register:queued"
#: Seconds between the first request and the run: what arrives meanwhile joins it.
REGISTER_DELAY = 5.0


def registration_request() -> None:
    """Ask for a registration run once the current transaction (if any) commits."""
    transaction.on_commit(_publish)


def _publish() -> None:
    if not cache.add(QUEUED_KEY, 1, timeout=REGISTER_DELAY + 60):
        return  # a run is queued already and will read the account afresh
    if not publish(REGISTER_TASK, countdown=REGISTER_DELAY):
        cache.delete(QUEUED_KEY)  # not queued: let the next request try again


def registration_started() -> None:
    """The run has started: a request from now on queues another one."""
    cache.delete(QUEUED_KEY)
