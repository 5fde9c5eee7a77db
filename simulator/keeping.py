"""Keeping the simulator's account in a file across restarts of ``make run``.

Without it every start re-seeded the demo account, and the simulator then disagreed with
the product's database about anyone changed before (a new number, a list left). The file
is written every few seconds and at a clean stop; written to a
temporary file and renamed, so a kill never leaves half a file. A file that cannot be
read (another version of the simulator) is set aside and the account seeded afresh.
"""

import logging
import pickle
import threading
from pathlib import Path

from .state import SimulatorState

log = logging.getLogger("simulator")


def load(state: SimulatorState, path: Path) -> bool:
    """Restore ``state`` from ``path``; False when there is nothing usable to restore."""
    if not path.is_file():
        return False
    try:
        state.restore(pickle.loads(path.read_bytes()))  # noqa: S301 - our own file in var/
    except Exception as exc:  # noqa: BLE001 - any unreadable file: start afresh, say so
        path.replace(path.with_suffix(path.suffix + ".unreadable"))
        log.warning("simulator state %s unreadable (%s); seeding afresh", path, exc)
        return False
    return True


def save(state: SimulatorState, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(pickle.dumps(state.snapshot()))
    temporary.replace(path)


def keep(state: SimulatorState, path: Path, stopped: threading.Event, every: float = 2.0):
    """Save ``state`` to ``path`` each ``every`` seconds until ``stopped``, then once more
    (a demo account pickles in about a millisecond). Runs in a daemon thread; returns it."""

    def run():
        while not stopped.wait(every):
            save(state, path)
        save(state, path)

    thread = threading.Thread(target=run, name="sim-keeper", daemon=True)
    thread.start()
    return thread
