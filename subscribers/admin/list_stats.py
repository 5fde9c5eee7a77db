"""The lists' subscriber counts and daily charts, cached briefly and dropped on change.

Counting a list of a million subscribers reads a million index entries (a quarter of a
second on PostgreSQL), and the 90-day chart groups every opt-in and opt-out of the
period. Both are kept in the Django cache (``CACHES``) for ``TIMEOUT`` seconds, and
dropped when a subscription or history row of that list is saved (the services save
through the ORM, so this covers staff edits, callbacks and imports alike): the page shows
a change at once, and at the latest after ``TIMEOUT`` when a row goes away by a bulk
delete. The key is dropped both at once and after the commit, so a page rendered while
the change was uncommitted cannot keep the old figures. With several processes, set
``CACHE_URL`` so that they share the cache (a per-process cache still expires).

The receivers are connected when this module is imported, which the admin's
autodiscovery does in every process (web, worker, commands). A cache that fails (Redis
down) never fails a write: the figures are then computed for each page, and the keys
expire on their own.
"""

import logging
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from ..models import Subscription, SubscriptionEvent, SubscriptionList
from .charts import DailyCounts, daily_counts

TIMEOUT = 60
_PREFIX = "admin-list-stats:v1"
logger = logging.getLogger(__name__)


def _cache_call(method, *args, default=None):
    try:
        return getattr(cache, method)(*args)
    except Exception:  # noqa: BLE001 - figures are a convenience; the page and writes go on
        logger.warning("admin list figures: cache %s failed", method, exc_info=True)
        return default


def _counts_key(list_pk) -> str:
    return f"{_PREFIX}:counts:{list_pk}"


def _chart_key(list_pk, day: date) -> str:
    return f"{_PREFIX}:chart:{list_pk}:{day.isoformat()}"


def cached_status_counts(list_ids, compute) -> dict[int, dict[str, int]]:
    """``compute(list_ids)`` for the lists not in the cache, in one call."""
    keys = {pk: _counts_key(pk) for pk in list_ids}
    found = _cache_call("get_many", list(keys.values()), default={})
    counts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in list_ids if pk not in counts]
    if missing:
        fresh = compute(missing)
        _cache_call("set_many", {keys[pk]: fresh[pk] for pk in missing}, TIMEOUT)
        counts.update(fresh)
    return counts


def cached_daily_counts(subscription_list) -> DailyCounts:
    today = timezone.now().date()
    key = _chart_key(subscription_list.pk, today)
    counts = _cache_call("get", key)
    if counts is None:
        counts = daily_counts(subscription_list, today=today)
        _cache_call("set", key, counts, TIMEOUT)
    return counts


def forget_list(list_pk) -> None:
    """Drops the cached figures of one list, now and once the transaction commits."""
    if list_pk is None:
        return
    keys = [_counts_key(list_pk), _chart_key(list_pk, timezone.now().date())]
    _cache_call("delete_many", keys)
    transaction.on_commit(lambda: _cache_call("delete_many", keys))


def _subscription_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        forget_list(instance.subscription_list_id)


def _list_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        forget_list(instance.pk)


post_save.connect(_subscription_saved, sender=Subscription, dispatch_uid="admin-list-stats-sub")
post_save.connect(_subscription_saved, sender=SubscriptionEvent, dispatch_uid="admin-list-stats-ev")
post_save.connect(_list_saved, sender=SubscriptionList, dispatch_uid="admin-list-stats-list")
