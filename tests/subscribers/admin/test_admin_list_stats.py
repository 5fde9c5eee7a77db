"""The lists' counts and chart are cached briefly, yet a change shows on the next page."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from subscribers import services
from subscribers.admin import list_stats
from subscribers.models import Source, Subscription

from .admin_helpers import query_count
from .test_admin_lists import CHANGELIST, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def stats(client, sub_list):
    response = client.get(f"{CHANGELIST}{sub_list.pk}/change/")
    counts = {label: n for label, n, _url in response.context["list_status_counts"]}
    return counts, response.context["chart_counts"]


def test_figures_are_read_once_then_served_from_the_cache(marketing_client, lists):
    subscribe(lists, 1, days_ago=3)
    first, _ = query_count(marketing_client, f"{CHANGELIST}{lists[0].pk}/change/")
    again, response = query_count(marketing_client, f"{CHANGELIST}{lists[0].pk}/change/")
    assert again == first - 2  # neither the grouped count nor the chart's query
    assert response.context["chart_counts"].total_in == 1
    # The lists page counts the lists not cached yet, in one query, then none.
    listed, _ = query_count(marketing_client, CHANGELIST)
    listed_again, response = query_count(marketing_client, CHANGELIST)
    assert listed_again == listed - 1
    rows = {obj.pk: obj.status_counts for obj in response.context["cl"].result_list}
    assert rows[lists[0].pk]["active"] == 1 and rows[lists[1].pk]["active"] == 0


def test_a_change_through_the_services_shows_on_the_next_page(marketing_client, lists):
    person = subscribe(lists, 1, days_ago=3)
    counts, chart = stats(marketing_client, lists[0])
    assert counts["Subscribed"] == 1 and chart.total_out == 0

    services.subscription_cancel(
        person=person,
        subscription_list=lists[0],
        source=Source.ADMIN,
        occurred_at=timezone.now() - timedelta(hours=1),
        opt_out_reason="user_opt_out",
    )
    counts, chart = stats(marketing_client, lists[0])
    assert counts["Subscribed"] == 0 and chart.total_out == 1
    html = marketing_client.get(CHANGELIST).content.decode()
    link = f"/admin/subscribers/person/?list={lists[0].pk}&amp;status=opted_out"
    assert f'href="{link}">1</a>' in html


def test_a_change_behind_the_services_back_shows_once_the_cache_expires(
    marketing_client, lists, monkeypatch
):
    subscribe(lists, 1, days_ago=3)
    counts, _ = stats(marketing_client, lists[0])
    assert counts["Subscribed"] == 1
    Subscription.objects.filter(subscription_list=lists[0]).delete()  # no save() signal

    counts, _ = stats(marketing_client, lists[0])
    assert counts["Subscribed"] == 1  # cached, at most TIMEOUT seconds
    later = time.time() + list_stats.TIMEOUT + 1
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    counts, _ = stats(marketing_client, lists[0])
    assert counts["Subscribed"] == 0


def test_figures_of_a_change_are_dropped_again_after_the_commit(
    lists, django_capture_on_commit_callbacks
):
    key = list_stats._counts_key(lists[0].pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        subscribe(lists, 1, days_ago=3)
        cache.set(key, {"active": 0})  # a page read while the change was uncommitted
    assert cache.get(key) == {"active": 0}
    for callback in callbacks:
        callback()
    assert cache.get(key) is None


def test_a_failing_cache_fails_neither_the_page_nor_the_write(marketing_client, lists, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    for method in ("get", "get_many", "set", "set_many", "delete_many"):
        monkeypatch.setattr(cache, method, down)
    person = subscribe(lists, 1, days_ago=3)  # the save's invalidation fails quietly
    counts, chart = stats(marketing_client, lists[0])
    assert counts["Subscribed"] == 1 and chart.total_in == 1
    assert person.subscriptions.get().status == "active"
