"""One request rate for every worker process: at most ``VIBES_RATE_LIMIT`` per second.

With Redis, a Lua script hands out send slots ``1/rate`` apart from a shared "next free
slot" key (a reservation form of GCRA): each caller sleeps until its own slot, so the
processes together never exceed the rate and, under load, come close to it. Redis'
clock is used, so the processes need not agree on the time. A 429 from Vibes moves a
shared "paused until" key forward, which every process's next slot respects.

With the embedded broker (no Redis) there is one worker process; a local limiter with the
same arithmetic does the job.
"""

import logging
import random
import threading
import time

import redis
from django.conf import settings

from .errors import RateLimited, Transient

log = logging.getLogger(__name__)

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
    """The same slot arithmetic for one process (the embedded-broker set-up)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self._lock = threading.Lock()
        self._next = 0.0
        self._paused_until = 0.0

    def reserve(self) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(self._next, now, self._paused_until)
            self._next = slot + self.interval
            return slot - now

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class RedisRateLimiter:
    """Slots shared by every process through Redis."""

    def __init__(self, rate: float, redis_url: str, namespace: str):
        self.interval = 1.0 / rate
        self.interval_us = int(1_000_000 / rate)
        self.client = redis.Redis.from_url(
            redis_url, socket_timeout=2, socket_connect_timeout=2, retry_on_timeout=False
        )
        self.keys = [f"vibes:ratelimit:{namespace}:next", f"vibes:ratelimit:{namespace}:paused"]
        self._reserve = self.client.register_script(_RESERVE)
        self._pause = self.client.register_script(_PAUSE)

    def reserve(self) -> float:
        try:
            return int(self._reserve(keys=self.keys, args=[self.interval_us])) / 1_000_000
        except redis.RedisError as exc:
            # Without the shared limiter we cannot know what the others send: do not send.
            raise Transient(f"rate limiter unavailable: {exc.__class__.__name__}") from exc

    def pause(self, seconds: float) -> None:
        try:
            self._pause(keys=self.keys[1:], args=[int(seconds * 1_000_000)])
        except redis.RedisError:
            log.warning("could not record the Vibes 429 pause in Redis")


class RateLimit:
    """``acquire()`` before each request; ``slow_down()`` when Vibes answers 429."""

    #: Never sleep longer than this for one slot; the caller retries later instead.
    max_wait = 30.0

    def __init__(self, backend):
        self.backend = backend

    def acquire(self) -> float:
        """Sleep until this caller's slot. A caller that wakes well after its slot (a
        busy CPU) gives the slot up and takes a new one, so that it does not send right
        on the heels of the caller holding the next slot."""
        waited = 0.0
        for _attempt in range(4):
            wait = self.backend.reserve()
            if wait > self.max_wait:
                raise RateLimited("Vibes rate limit: every worker is paused", retry_after=wait)
            target = time.monotonic() + wait
            if wait > 0:
                time.sleep(wait)
            waited += wait
            if time.monotonic() - target <= self.backend.interval / 2:
                break
        return waited

    def slow_down(self, retry_after: float | None = None) -> float:
        """Pause every process: ``Retry-After`` when given, else about a second, jittered."""
        base = retry_after if retry_after is not None else 1.0
        seconds = base + random.uniform(0, max(0.25, base / 2))
        self.backend.pause(seconds)
        log.warning("Vibes answered 429: all workers pause for %.2fs", seconds)
        return seconds


#: Slots are handed out at this share of VIBES_RATE_LIMIT, so that network jitter (a late
#: request arriving together with the next one) never puts more than the limit into one
#: second as Vibes counts it.
HEADROOM = 0.95

_shared: RateLimit | None = None
_shared_lock = threading.Lock()


def shared_rate_limit() -> RateLimit:
    """The process-wide limiter for the configured company, built on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            rate = float(settings.VIBES_RATE_LIMIT) * HEADROOM
            if settings.REDIS_URL:
                backend = RedisRateLimiter(rate, settings.REDIS_URL, settings.VIBES_COMPANY_KEY)
            else:
                backend = LocalRateLimiter(rate)
            _shared = RateLimit(backend)
        return _shared


def reset_shared_rate_limit() -> None:
    """Forget the process-wide limiter (tests change settings between cases)."""
    global _shared
    with _shared_lock:
        _shared = None
