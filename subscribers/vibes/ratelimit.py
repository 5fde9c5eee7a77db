"""One request rate for every worker process: never more than ``VIBES_RATE_LIMIT``
requests in any second, and close to it under load.

Two rules, both kept in Redis so that every process (and every thread) shares them:

- **Spacing.** A "next free slot" key hands out send slots ``1/rate`` apart, the rate
  being ``HEADROOM`` of the limit (a reservation form of GCRA): each caller sleeps until
  its own slot, so a burst leaves evenly spread instead of all at once.
- **A hard cap.** Right before sending, a caller is admitted only while fewer than the
  limit were admitted in the last ``WINDOW`` seconds (a log of send times); otherwise it
  waits for the oldest to leave the window. ``WINDOW`` is a little over a second, so that
  requests admitted close together and delayed differently on the way still arrive at
  Vibes at most the limit in any second. A caller that wakes late (a busy CPU) still sends
  in its turn: nothing it reserved is thrown away, which is what keeps the rate up.

Redis' clock is used, so the processes need not agree on the time. A 429 from Vibes moves
a shared "paused until" key forward, which both rules respect.

With the embedded broker (no Redis) there is one worker process; a local limiter with the
same arithmetic does the job for its threads.
"""

import logging
import random
import threading
import time
import uuid
from collections import deque

import redis
from django.conf import settings

from .errors import RateLimited, Transient

log = logging.getLogger(__name__)

#: Slots are spaced at this share of the limit; the cap below does the rest.
HEADROOM = 0.95
#: The cap counts sends over this many seconds: the extra 50 ms is the spread in delay
#: between our send and Vibes' count that the limit still holds against.
WINDOW = 1.05

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = math.max(tat, now, paused)
local ttl = math.floor((slot + interval - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%d', slot + interval), 'PX', ttl)
return string.format('%d', slot - now)
"""

_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then
  return string.format('%d', paused - now)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return string.format('%d', tonumber(oldest[2]) + window - now + 1)
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = math.floor(tonumber(ARGV[1]) / 1000) + 1000
if untl > paused then
  redis.call('SET', KEYS[1], string.format('%d', untl), 'PX', ttl)
end
return 1
"""


class LocalRateLimiter:
    """The same two rules for one process (the embedded-broker set-up)."""

    def __init__(self, limit: float):
        self.limit = max(1, int(limit))
        self.interval = 1.0 / (limit * HEADROOM)
        self._lock = threading.Lock()
        self._next = 0.0
        self._paused_until = 0.0
        self._sent: deque[float] = deque()

    def reserve(self) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(self._next, now, self._paused_until)
            self._next = slot + self.interval
            return slot - now

    def admit(self) -> float:
        with self._lock:
            now = time.monotonic()
            if self._paused_until > now:
                return self._paused_until - now
            while self._sent and self._sent[0] <= now - WINDOW:
                self._sent.popleft()
            if len(self._sent) < self.limit:
                self._sent.append(now)
                return 0.0
            return self._sent[0] + WINDOW - now + 1e-6

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class RedisRateLimiter:
    """Both rules shared by every process through Redis."""

    def __init__(self, limit: float, redis_url: str, namespace: str):
        self.limit = max(1, int(limit))
        self.interval = 1.0 / (limit * HEADROOM)
        self.interval_us = int(1_000_000 * self.interval)
        self.client = redis.Redis.from_url(
            redis_url, socket_timeout=2, socket_connect_timeout=2, retry_on_timeout=False
        )
        prefix = f"vibes:ratelimit:{namespace}"
        self.keys = [f"{prefix}:next", f"{prefix}:paused", f"{prefix}:sent"]
        self._reserve = self.client.register_script(_RESERVE)
        self._admit = self.client.register_script(_ADMIT)
        self._pause = self.client.register_script(_PAUSE)

    def _call(self, script, keys, args) -> float:
        try:
            return int(script(keys=keys, args=args)) / 1_000_000
        except redis.RedisError as exc:
            # Without the shared limiter we cannot know what the others send: do not send.
            raise Transient(f"rate limiter unavailable: {exc.__class__.__name__}") from exc

    def reserve(self) -> float:
        return self._call(self._reserve, self.keys[:2], [self.interval_us])

    def admit(self) -> float:
        keys = [self.keys[2], self.keys[1]]
        return self._call(self._admit, keys, [int(WINDOW * 1_000_000), self.limit, _member()])

    def pause(self, seconds: float) -> None:
        try:
            self._pause(keys=self.keys[1:2], args=[int(seconds * 1_000_000)])
        except redis.RedisError:
            log.warning("could not record the Vibes 429 pause in Redis")


def _member() -> str:
    """A name for one send in the log of send times (two sends may share a microsecond)."""
    return uuid.uuid4().hex


class RateLimit:
    """``acquire()`` before each request; ``slow_down()`` when Vibes answers 429."""

    #: Never wait longer than this for one request; the caller retries later instead.
    max_wait = 30.0

    def __init__(self, backend):
        self.backend = backend

    def acquire(self) -> float:
        """Sleep until this caller's slot, then until the cap admits it; return the wait."""
        wait = self.backend.reserve()
        if wait > self.max_wait:
            raise RateLimited("Vibes rate limit: every worker is paused", retry_after=wait)
        if wait > 0:
            time.sleep(wait)
        waited = max(wait, 0.0)
        while (wait := self.backend.admit()) > 0:
            if waited + wait > self.max_wait:
                raise RateLimited("Vibes rate limit: every worker is paused", retry_after=wait)
            time.sleep(wait)
            waited += wait
        return waited

    def slow_down(self, retry_after: float | None = None) -> float:
        """Pause every process: ``Retry-After`` when given, else about a second, jittered."""
        base = retry_after if retry_after is not None else 1.0
        seconds = base + random.uniform(0, max(0.25, base / 2))
        self.backend.pause(seconds)
        log.warning("Vibes answered 429: all workers pause for %.2fs", seconds)
        return seconds


#: The budgets Vibes counts apart: the API's (``VIBES_RATE_LIMIT``) and the Event API's
#: (``VIBES_EVENT_RATE_LIMIT``), each with its own keys in Redis.
API = "api"
EVENTS = "events"
_SETTING = {API: "VIBES_RATE_LIMIT", EVENTS: "VIBES_EVENT_RATE_LIMIT"}

_shared: dict[str, RateLimit] = {}
_shared_lock = threading.Lock()


def shared_rate_limit(budget: str = API) -> RateLimit:
    """The process-wide limiter of ``budget`` for the configured company, built on first use."""
    with _shared_lock:
        if budget not in _shared:
            limit = float(getattr(settings, _SETTING[budget]))
            namespace = settings.VIBES_COMPANY_KEY
            if budget != API:
                namespace = f"{namespace}:{budget}"
            if settings.REDIS_URL:
                backend = RedisRateLimiter(limit, settings.REDIS_URL, namespace)
            else:
                backend = LocalRateLimiter(limit)
            _shared[budget] = RateLimit(backend)
        return _shared[budget]


def reset_shared_rate_limit() -> None:
    """Forget the process-wide limiters (tests change settings between cases)."""
    with _shared_lock:
        _shared.clear()
