"""Whether the current code path may queue pushes to Vibes.

Changes that came from Vibes (callbacks, reconcile, the extract import, and the push task
writing back what Vibes answered) must never be pushed back. The services enter
``pushes_suppressed()`` for those sources; the signals that queue pushes ask
``push_suppressed()`` before recording anything.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_suppressed: ContextVar[bool] = ContextVar("vibes_push_suppressed", default=False)


@contextmanager
def pushes_suppressed(active: bool = True):
    token = _suppressed.set(active or _suppressed.get())
    try:
        yield
    finally:
        _suppressed.reset(token)


def push_suppressed() -> bool:
    return _suppressed.get()
