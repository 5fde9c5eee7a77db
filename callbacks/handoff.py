"""Handing stored events to a worker: one apply run asked for at most once a second.

Publishing a task costs more than storing the event (``make bench-callbacks``), so it is
not done per event: the run asked for applies everything received, and looks again after
``KICK_INTERVAL`` for events stored meanwhile. The request never waits on the broker
(``publish_nowait``); beat's sweep applies what a lost publish left behind.
"""

import threading
from time import monotonic

from subscribers.outbox.publish import publish_nowait

APPLY_TASK = "callbacks.tasks.callbacks_apply_received"

#: The endpoint publishes at most one run per this many seconds per process.
KICK_INTERVAL = 1.0

_last_kick = 0.0
_in_flight = None
_lock = threading.Lock()


def kick() -> None:
    """Ask a worker to apply received events, at most once per KICK_INTERVAL per process."""
    global _last_kick, _in_flight
    with _lock:
        now = monotonic()
        busy = _in_flight is not None and not _in_flight.done()
        if now - _last_kick < KICK_INTERVAL or busy:
            return
        _last_kick = now
        _in_flight = publish_nowait(APPLY_TASK)
