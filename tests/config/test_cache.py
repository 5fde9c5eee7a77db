"""The caches every process shares (config/cache.py, CACHES in config/settings/base.py):
what the settings pick with nothing said, and counts that cannot be lost or outlive their
window. That several gunicorn workers share them is
tests/subscribers/preferences/test_limits_shared.py."""

import threading

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from config.cache import SharedRedisCache

from .test_config import run_manage
from .test_safe_defaults import PRODUCTION, settings_under

DATABASE_CACHE = {
    "default": {"BACKEND": "config.cache.CountingDatabaseCache", "LOCATION": "t_cache"}
}


def test_with_nothing_said_the_counts_live_in_the_database():
    assert settings_under(PRODUCTION)["CACHES"]["default"]["BACKEND"] == (
        "config.cache.CountingDatabaseCache"
    )


def test_with_redis_configured_the_counts_live_there_under_a_prefix_of_their_own():
    default = settings_under({**PRODUCTION, "REDIS_URL": "redis://r:6379/3"})["CACHES"]["default"]
    assert default["BACKEND"] == "config.cache.SharedRedisCache"
    assert default["LOCATION"] == "redis://r:6379/3" and default["KEY_PREFIX"]


def test_a_per_process_cache_outside_debug_is_a_system_check_warning():
    result = run_manage("check", **PRODUCTION, CACHE_URL="locmemcache://")
    assert "subscribers.W008" in result.stderr
    assert "subscribers.W008" not in run_manage("check", **PRODUCTION).stderr
    debug = run_manage("check", DEBUG="1", CACHE_URL="locmemcache://")
    assert "subscribers.W008" not in debug.stderr


@pytest.fixture
def database_cache(transactional_db):
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
        yield caches["default"]
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE t_cache")


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the tests' shared in-memory SQLite answers a second writer 'table is locked' at "
    "once instead of waiting; the PostgreSQL run counts the parallel increments",
)
def test_the_database_cache_counts_every_increment_of_parallel_threads(database_cache):
    database_cache.add("n", 0, timeout=60)
    errors = []

    def count():
        try:
            for _ in range(10):
                database_cache.incr("n")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert database_cache.get("n") == 40
    assert database_cache.decr("n") == 39


def test_the_database_cache_does_not_count_on_an_expired_key(database_cache):
    database_cache.add("gone", 5, timeout=-1)
    with pytest.raises(ValueError):
        database_cache.incr("gone")
    assert database_cache.add("gone", 0, timeout=60)
    assert database_cache.incr("gone") == 1


@pytest.mark.services
def test_the_redis_cache_clear_leaves_the_celery_brokers_keys():
    client = redis.Redis.from_url(settings.REDIS_URL)
    cache = SharedRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "vibes-cache-test"})
    client.set("unacked_probe", "kept")
    try:
        cache.add("n", 0, timeout=60)
        assert cache.incr("n") == 1 and cache.decr("n") == 0
        cache.clear()
        assert cache.get("n") is None
        assert client.get("unacked_probe") == b"kept"
        with pytest.raises(ValueError):
            cache.incr("n")  # an expired or cleared key is not revived without an expiry
    finally:
        client.delete("unacked_probe")
