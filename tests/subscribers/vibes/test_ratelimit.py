import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from subscribers.vibes.ratelimit import LocalRateLimiter, RateLimit, RedisRateLimiter


def sent_times(limit: RateLimit, n: int, threads: int) -> list[float]:
    def one(_):
        limit.acquire()
        return time.monotonic()

    with ThreadPoolExecutor(threads) as pool:
        return sorted(pool.map(one, range(n)))


def test_local_limiter_spaces_requests_at_the_rate():
    times = sent_times(RateLimit(LocalRateLimiter(100)), 60, threads=6)
    assert 0.55 <= times[-1] - times[0] <= 0.8


def test_a_429_pause_holds_everyone_back():
    limit = RateLimit(LocalRateLimiter(1000))
    paused = limit.slow_down(retry_after=0.3)
    assert 0.3 <= paused <= 0.55  # Retry-After plus up to max(0.25 s, half of it) of jitter
    assert limit.backend.reserve() >= 0.29


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")
def test_redis_limiter_is_shared_by_separate_limiters(request):
    namespace = f"test-{time.monotonic_ns()}"
    a = RateLimit(RedisRateLimiter(100, settings.REDIS_URL, namespace))
    b = RateLimit(RedisRateLimiter(100, settings.REDIS_URL, namespace))
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda lim: sent_times(lim, 30, 3), [a, b]))
    both = sorted(runs[0] + runs[1])
    assert both[-1] - both[0] >= 0.55  # 60 slots at 100/s, whoever asks
    b.slow_down(retry_after=0.5)
    assert a.backend.reserve() >= 0.45
