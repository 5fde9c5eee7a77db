"""Callback delivery, the way Vibes does it: a background thread, retries, faults on request.

A 2xx is success. A 4xx is a permanent failure (Vibes puts it in its failure queue and
never retries). A 3xx, a 5xx, no answer within ``timeout`` (2 s, as Vibes' older product)
or a refused connection is retried after each delay of ``retry_schedule`` in turn, then
given up. Redirects are not followed. Each retry carries the same ``event_id`` and the
next ``delivery_attempt``.

On request (``Deliverer.configure``) it also misbehaves as Vibes may:
``duplicate`` sends each of the next N deliveries twice, ``retry`` sends each of the next
N again with ``delivery_attempt`` "2" as if the first answer had been lost,
``out_of_order`` collects the next N deliveries and sends them newest first, and ``hold``
keeps everything until released. (A delivery is one event for one registration.)
"""

import heapq
import itertools
import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

log = logging.getLogger("simulator.delivery")

# Vibes retries a failing endpoint "a limited number of times" over minutes (docs/vibes.md,
# "Callbacks"): four retries, 10 s to 10 min after the first try. Tests pass a fast one.
DEFAULT_RETRY_SCHEDULE = (10.0, 60.0, 180.0, 600.0)


def exponential_schedule(max_attempts: int, backoff: float) -> tuple[float, ...]:
    """``max_attempts`` tries in all, ``backoff`` seconds before the first retry, doubling."""
    return tuple(backoff * 2**n for n in range(max(0, max_attempts - 1)))


def _schedule(value) -> tuple[float, ...]:
    delays = tuple(float(v) for v in value)
    if any(d < 0 for d in delays):
        raise ValueError("retry delays are seconds, 0 or more")
    return delays


@dataclass
class Delivery:
    payload: dict
    url: str
    method: str
    content_type: str
    attempt: int = 1
    raw_body: bytes | None = None  # overrides the JSON rendering (malformed bodies)

    def body(self) -> bytes:
        if self.raw_body is not None:
            return self.raw_body
        payload = dict(self.payload)
        if "delivery_attempt" in payload:
            payload["delivery_attempt"] = str(self.attempt)
        return json.dumps(payload).encode()


@dataclass
class DeliveryRecord:
    event_id: str
    callback_type: str
    callback_id: str | None
    url: str
    method: str
    attempt: int
    status: int | None
    outcome: str  # delivered, retrying, failed
    error: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict:
        return {
            "event_id": self.event_id,
            "callback_type": self.callback_type,
            "callback_id": self.callback_id,
            "url": self.url,
            "method": self.method,
            "attempt": self.attempt,
            "status": self.status,
            "outcome": self.outcome,
            "error": self.error,
            "at": self.at.isoformat(),
        }


class Deliverer:
    def __init__(self, *, retry_schedule=DEFAULT_RETRY_SCHEDULE, timeout: float = 2.0):
        self.retry_schedule = _schedule(retry_schedule)
        self.timeout = timeout
        self._started_with = (self.retry_schedule, timeout)  # what reset() goes back to
        self.records: deque[DeliveryRecord] = deque(maxlen=10_000)
        self._queue: list = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._busy = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "Vibes-Simulator/1 (callback delivery)"
        self.duplicate = 0
        self.retry = 0
        self.out_of_order = 0
        self.hold = False
        self._held: list[Delivery] = []
        self._reorder: list[Delivery] = []

    # -- control ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sim-delivery", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=self.timeout + 2)
        self._session.close()

    @property
    def max_attempts(self) -> int:
        return len(self.retry_schedule) + 1

    def configure(
        self,
        *,
        duplicate=None,
        retry=None,
        out_of_order=None,
        hold=None,
        timeout=None,
        retry_schedule=None,
    ) -> dict:
        with self._cond:
            if timeout is not None:
                if float(timeout) <= 0:
                    raise ValueError("timeout is seconds, more than 0")
                self.timeout = float(timeout)
            if retry_schedule is not None:
                self.retry_schedule = _schedule(retry_schedule)
            if duplicate is not None:
                self.duplicate = int(duplicate)
            if retry is not None:
                self.retry = int(retry)
            if out_of_order is not None:
                self.out_of_order = int(out_of_order)
                if not self.out_of_order:
                    self._release(self._reorder[::-1])
                    self._reorder = []
            if hold is not None:
                self.hold = bool(hold)
                if not self.hold:
                    self._release(self._held)
                    self._held = []
            self._cond.notify_all()
            return self.settings()

    def settings(self) -> dict:
        return {
            "duplicate": self.duplicate,
            "retry": self.retry,
            "out_of_order": self.out_of_order,
            "hold": self.hold,
            "held": len(self._held) + len(self._reorder),
            "queued": len(self._queue),
            "timeout": self.timeout,
            "retry_schedule": list(self.retry_schedule),
        }

    def reset(self) -> None:
        with self._cond:
            self._queue.clear()
            self._held.clear()
            self._reorder.clear()
            self.records.clear()
            self.duplicate = self.retry = self.out_of_order = 0
            self.hold = False
            self.retry_schedule, self.timeout = self._started_with

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued, being sent or waiting for a retry."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    # -- enqueue ----------------------------------------------------------------------
    def enqueue(self, delivery: Delivery) -> None:
        with self._cond:
            copies = [delivery]
            if self.duplicate > 0:
                self.duplicate -= 1
                copies.append(Delivery(**{**delivery.__dict__}))
            if self.retry > 0:
                self.retry -= 1
                copies.append(Delivery(**{**delivery.__dict__, "attempt": delivery.attempt + 1}))
            if self.out_of_order > 0:
                self._reorder.extend(copies)
                self.out_of_order -= 1
                if self.out_of_order == 0:
                    self._release(self._reorder[::-1])
                    self._reorder = []
            elif self.hold:
                self._held.extend(copies)
            else:
                self._release(copies)
            self._cond.notify_all()

    def _release(self, deliveries: list[Delivery]) -> None:
        if self.hold:
            self._held.extend(deliveries)
            return
        now = time.monotonic()
        for d in deliveries:
            heapq.heappush(self._queue, (now, next(self._seq), d))

    # -- the thread -------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._queue and self._queue[0][0] <= time.monotonic():
                        break
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(wait)
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._send(delivery)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _send(self, d: Delivery) -> None:
        status, error = None, ""
        try:
            answer = self._session.request(
                d.method,
                d.url,
                data=d.body(),
                headers={"Content-Type": d.content_type},
                timeout=self.timeout,
                allow_redirects=False,
            )
            status = answer.status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        if status is not None and 200 <= status < 300:
            outcome = "delivered"
        elif status is not None and 400 <= status < 500:
            outcome = "failed"  # permanent: Vibes' failure queue, no retry
        elif d.attempt < self.max_attempts:
            outcome = "retrying"
        else:
            outcome = "failed"
        record = DeliveryRecord(
            event_id=str(d.payload.get("event_id")),
            callback_type=str(d.payload.get("callback_type")),
            callback_id=d.payload.get("callback_id"),
            url=d.url,
            method=d.method,
            attempt=d.attempt,
            status=status,
            outcome=outcome,
            error=error,
        )
        log.info(
            "callback %s %s attempt %s -> %s %s",
            record.callback_type,
            record.event_id,
            d.attempt,
            status or error,
            outcome,
        )
        with self._cond:
            self.records.append(record)
            if outcome == "retrying":
                due = time.monotonic() + self.retry_schedule[d.attempt - 1]
                retry = Delivery(**{**d.__dict__, "attempt": d.attempt + 1})
                heapq.heappush(self._queue, (due, next(self._seq), retry))
