"""The Celery tasks of callbacks: applying stored callbacks outside the request, and
keeping Vibes' registrations as planned (callbacks/registering.py, callbacks/follow.py).

The endpoint asks for it at most once per ``KICK_INTERVAL`` per process
(``callbacks.handoff``); beat runs it as a sweep, so events whose run never came (broker
down, worker killed) are applied all the same. A run is bounded (``callbacks.apply``): one
that stops at its bound, or at the soft time limit, asks for the next run at once.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache

from subscribers.outbox.publish import publish
from subscribers.repair.uncovered import uncovered_sweep
from subscribers.vibes import VibesClient, VibesError

from .apply import events_apply_received
from .follow import REGISTER_DELAY, REGISTER_TASK, registration_started
from .handoff import APPLY_TASK, KICK_INTERVAL
from .registering import registrations_apply, uncovered_list_ids
from .registration import callback_url

REGISTER_LOCK = "callbacks-register:running"

logger = logging.getLogger(__name__)


@shared_task(name=APPLY_TASK, ignore_result=True)
def callbacks_apply_received(settle: float = KICK_INTERVAL + 0.5) -> int:
    try:
        run = events_apply_received(settle=settle)
    except SoftTimeLimitExceeded:
        # The event being applied was rolled back and stays received; the next run takes it.
        logger.warning("callback apply run reached the soft time limit; the next run goes on")
        publish(APPLY_TASK)
        return 0
    if run.more:
        publish(APPLY_TASK)
    return run.applied


@worker_ready.connect
def callbacks_apply_at_start(**_kwargs) -> None:
    """A starting worker asks for a run at once: events a killed worker was applying stay
    received, and need not wait for beat's sweep."""
    publish(APPLY_TASK)


@shared_task(name=REGISTER_TASK, ignore_result=True)
def callbacks_register() -> str:
    """Make Vibes' registrations match the plan for VIBES_CALLBACK_BASE_URL: a new list's
    callbacks, the slots of an archived one back, a registration deleted in Vibes' UI made
    again. One run at a time; a run asked for meanwhile comes after it."""
    registration_started()
    tokens, base_url = settings.CALLBACK_TOKENS, settings.VIBES_CALLBACK_BASE_URL
    if not tokens or not base_url:
        return "CALLBACK_TOKENS or VIBES_CALLBACK_BASE_URL is not set: nothing registered"
    if not cache.add(REGISTER_LOCK, 1, timeout=300):
        publish(REGISTER_TASK, countdown=REGISTER_DELAY)  # it may not have seen the new list
        return "another registration run is going on: asked for one after it"
    try:
        applied = registrations_apply(
            url=callback_url(base_url, tokens[0]),
            base_url=base_url,
            tokens=tokens,
            client=VibesClient.shared(),
        )
    except (VibesError, ValueError) as exc:  # ValueError: VIBES_SOURCE_CODES (callbacks.E002)
        logger.warning("callback registrations not checked: %s", exc)
        return f"not checked: {exc}"
    finally:
        cache.delete(REGISTER_LOCK)
    for what, error in applied.failed:
        logger.warning("callback registration %s failed: %s", what, error)
    return (
        f"{len(applied.created)} registered, {len(applied.kept)} already there, "
        f"{len(applied.ended)} ended, {len(applied.plan.left_out)} left out, "
        f"{len(applied.failed)} failed"
    )


@shared_task(name="callbacks.tasks.uncovered_lists_sweep", ignore_result=True)
def uncovered_lists_sweep() -> str:
    """Re-read the subscribers of the lists the plan left without subscription_removed,
    within VIBES_UNCOVERED_BUDGET (subscribers/repair/uncovered.py)."""
    list_ids = uncovered_list_ids()
    if not list_ids:
        return "every list's opt-outs have a callback"
    return uncovered_sweep(list_ids=list_ids, client=VibesClient.shared()).summary()
