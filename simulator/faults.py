"""Faults the simulator's API injects on request, and its optional rate limit.

A fault matches by method and a substring of the path, applies to the next ``count``
matching requests (``None``: until cleared), and is one of:

- ``latency``: wait ``seconds`` before answering (combines with the others; with
  ``count=None`` it is the answer time of every request, e.g. Vibes' ~50 ms);
- ``hold``: keep the request waiting, unanswered, until ``release()`` (or the simulator
  stops); ``held`` is set once a request waits, so a test can act while a client is in
  the middle of a call (kill a worker mid-push);
- ``status``: answer ``status`` (429, 500, 502, 503…, or a 2xx) without doing anything,
  with ``Retry-After`` when ``retry_after`` is given (Vibes documents none). The body is
  ``body`` as JSON when given, else ``raw`` as is when given (``""``: no body, like
  Vibes' bare 404/409), else an error body like the simulator's own;
- ``timeout``: hang ``seconds`` (default 30, longer than any client read timeout) and
  close the connection without an answer, having done nothing;
- ``malformed``: do the operation, then answer with its body cut in half (invalid JSON).

One request meets every matching ``latency`` fault but only the first matching fault of
the other kinds, so ``status 429 once`` then ``status 503 five times`` answer in turn.
"""

import threading
import time
from dataclasses import asdict, dataclass

KINDS = {"latency", "hold", "status", "timeout", "malformed"}


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path: str | None = None
    count: int | None = 1
    status: int = 503
    seconds: float = 0.0
    retry_after: str | None = None
    body: object = None
    raw: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")
        if self.kind == "timeout" and not self.seconds:
            self.seconds = 30.0
        if self.method:
            self.method = self.method.upper()
        if self.raw is not None and not isinstance(self.raw, str):
            raise ValueError("raw is the answer's text, a string")

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method and self.method != method:
            return False
        return not self.path or self.path in path

    def to_json(self) -> dict:
        return asdict(self)


class FaultBook:
    def __init__(self):
        self._lock = threading.Lock()
        self.faults: list[Fault] = []
        self.rate_limit: float | None = None
        self.event_rate_limit: float | None = None  # the Event API's own budget
        self._windows: dict[str, tuple[int, int]] = {}  # budget: (second, requests seen in it)
        self.held = threading.Event()  # a request is waiting in a "hold" fault
        self._released = threading.Event()

    def add(self, **spec) -> Fault:
        fault = Fault(**spec)
        with self._lock:
            if fault.kind == "hold":
                self._released.clear()
                self.held.clear()
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.rate_limit = None
        self.release()

    def release(self) -> None:
        """Answer every held request and hold no more."""
        with self._lock:
            self.faults = [f for f in self.faults if f.kind != "hold"]
        self._released.set()

    def wait_released(self, stopped: threading.Event) -> bool:
        """Hold the calling request until released (True) or the simulator stops (False)."""
        self.held.set()
        while not self._released.wait(0.05):
            if stopped.is_set():
                return False
        return not stopped.is_set()

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults this request meets, each used up once: every latency, and the
        first of the others."""
        taken = []
        with self._lock:
            answered = False
            for fault in self.faults:
                if not fault.matches(method, path):
                    continue
                if fault.kind != "latency":
                    if answered:
                        continue
                    answered = True
                if fault.count is not None:
                    fault.count -= 1
                taken.append(fault)
            self.faults = [f for f in self.faults if f.count is None or f.count > 0]
        return taken

    def over_rate_limit(self, *, events: bool = False) -> bool:
        """A fixed one-second window, like Vibes' ~100 requests/second per company; the
        Event API counts apart (300 a second, docs/vibes.md "Texts of our own")."""
        limit = self.event_rate_limit if events else self.rate_limit
        if not limit:
            return False
        second = int(time.monotonic())
        budget = "events" if events else "api"
        with self._lock:
            start, seen = self._windows.get(budget, (0, 0))
            seen = seen + 1 if start == second else 1
            self._windows[budget] = (second, seen)
            return seen > limit

    def to_json(self) -> dict:
        with self._lock:
            return {"faults": [f.to_json() for f in self.faults], "rate_limit": self.rate_limit}
