"""Caches whose counts every process shares (config/settings/base.py picks one).

The rate limits (subscribers/limits.py) count with ``add`` then ``incr``. Django's
database cache increments by reading the value and writing it back, so two web processes
can both read 4 and both write 5; ``CountingDatabaseCache.incr`` reads the row locked, in
a transaction of its own (a savepoint inside the caller's). Django's Redis cache tests
that the key exists, then INCRs: a key expiring in between comes back from INCR with no
expiry at all, a count that never resets; ``SharedRedisCache.incr`` does both in one
script. Its ``clear()`` removes only this cache's keys: the cache shares ``REDIS_URL``'s
database with the Celery broker, whose queues a FLUSHDB would empty.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connections, router, transaction
from django.utils import timezone

# INCRBY only a key that exists, in one step: the key keeps the expiry ``add`` gave it.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


class CountingDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key_col, value_col = quote(self._table), quote("cache_key"), quote("value")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        # On SQLite the write lock is taken at BEGIN (IMMEDIATE transactions, see
        # config/settings/base.py), which serialises the read and the write the same way.
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_col} FROM {table} WHERE {key_col} = %s "  # noqa: S608
                f"AND {quote('expires')} > %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301 - our own rows
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value_col} = %s WHERE {key_col} = %s",  # noqa: S608
                [encoded, key],
            )
        return value


class SharedRedisCache(RedisCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        value = client.eval(_INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found")
        return int(value)

    def clear(self):
        client = self._cache.get_client(None, write=True)
        # Every key this cache writes is "<KEY_PREFIX>:<version>:<key>" (make_key).
        for keys in _chunks(client.scan_iter(match=f"{self.key_prefix}:*", count=1000), 500):
            client.delete(*keys)
        return True


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def create_table(*, using: str = "default", **kwargs) -> None:
    """After ``migrate`` (a post_migrate receiver, subscribers/apps.py): the database
    cache's table, wherever the schema is made (``make migrate``, a deployment, the
    tests' database). Does nothing when no database cache is configured."""
    call_command("createcachetable", database=using, verbosity=0)
