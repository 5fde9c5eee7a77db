"""The one way anything reaches the broker: by task name, under a deadline, never raising.

Pushes after a commit, the callbacks' request for an apply run and the admin's re-reads
all publish here. A publish runs in a helper thread with its own short socket timeouts,
so a down or hung Redis costs the caller at most ``PUSH_PUBLISH_TIMEOUT`` seconds; after
a failure publishing is skipped for ``PUSH_BROKER_BACKOFF_SECONDS``, so a burst of saves
against a dead broker does not pay the timeout each time. What was not published is found
again by the periodic sweeps (``subscribers.repair.sweeps``, ``callbacks.tasks``).

Tasks are named, not imported: the modules that publish never import the tasks that run
their work, so the out flow has no import circle.
"""

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings

from config.celery import app

log = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="broker-publish")
_down_until = 0.0
_lock = threading.Lock()


def _broker_down() -> bool:
    with _lock:
        return time.monotonic() < _down_until


def _mark_down(reason: str, what: str) -> None:
    global _down_until
    with _lock:
        _down_until = time.monotonic() + settings.PUSH_BROKER_BACKOFF_SECONDS
    log.warning("could not queue %s (%s); the periodic sweep will pick it up", what, reason)


def broker_reset() -> None:
    """Forget an earlier publish failure (the sweep runs in a worker: the broker is back)."""
    global _down_until
    with _lock:
        _down_until = 0.0


def _send(task: str, calls: Sequence[tuple], countdown: float | None) -> int:
    """Publish ``task`` once per argument tuple on one connection; return how many."""
    timeout = settings.PUSH_PUBLISH_TIMEOUT
    options = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry_on_timeout": False,
        "max_retries": 0,
    }
    with app.connection_for_write(transport_options=options) as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)
        with conn.Producer() as producer:
            for args in calls:
                app.send_task(task, args, countdown=countdown, producer=producer, retry=False)
    return len(calls)


def publish(task: str, calls: Sequence[tuple] = ((),), *, countdown: float | None = None) -> int:
    """Publish ``task`` once per argument tuple; return how many were published (0 when
    the broker is down or slow). Waits at most ``PUSH_PUBLISH_TIMEOUT`` (plus a little per
    message for a large batch)."""
    calls = list(calls)
    if not calls:
        return 0
    if _broker_down():
        log.info("broker marked down: %d %s message(s) left for the sweep", len(calls), task)
        return 0
    future = _executor.submit(_send, task, calls, countdown)
    try:
        # One message takes about a millisecond: a bulk batch gets time in proportion.
        return future.result(timeout=settings.PUSH_PUBLISH_TIMEOUT + 0.005 * len(calls))
    except FutureTimeout:
        _mark_down("timed out", f"{len(calls)} {task}")
    except Exception as exc:  # noqa: BLE001 - no broker problem may fail the caller
        _mark_down(f"{exc.__class__.__name__}: {exc}", f"{len(calls)} {task}")
    return 0


def publish_nowait(task: str, args: tuple = ()) -> Future | None:
    """Publish one ``task`` in the background: the caller does not wait at all. Returns
    the future (done once published or given up), or None when the broker is marked down."""
    if _broker_down():
        return None

    def send():
        try:
            return _send(task, [args], None)
        except Exception as exc:  # noqa: BLE001 - logged; the sweep covers it
            _mark_down(f"{exc.__class__.__name__}: {exc}", task)
            return 0

    return _executor.submit(send)
