"""Lists: subscriber counts by status, and each list's daily opt-in / opt-out chart."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from subscribers import services
from subscribers.admin.charts import daily_counts
from subscribers.models import Source

from .admin_helpers import query_count

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/subscriptionlist/"


def subscribe(lists, n, *, days_ago, out_days_ago=None):
    now = timezone.now()
    person = services.person_create(source=Source.ADMIN, mdn=f"+1415555{n:04d}")
    services.subscription_activate(
        person=person,
        subscription_list=lists[0],
        source=Source.VIBES_CALLBACK,
        occurred_at=now - timedelta(days=days_ago),
    )
    if out_days_ago is not None:
        services.subscription_cancel(
            person=person,
            subscription_list=lists[0],
            source=Source.VIBES_CALLBACK,
            occurred_at=now - timedelta(days=out_days_ago),
            opt_out_reason="user_opt_out",
        )
    return person


def test_list_changelist_counts_subscribers_by_status_in_one_query(marketing_client, lists):
    for n in range(3):
        subscribe(lists, n, days_ago=5, out_days_ago=2 if n == 0 else None)
    small, response = query_count(marketing_client, CHANGELIST)
    rows = {obj.list_id: obj.status_counts for obj in response.context["cl"].result_list}
    assert rows["1234"] == {"pending": 0, "active": 2, "opted_out": 1, "rejected": 0}
    assert rows["1235"] == {"pending": 0, "active": 0, "opted_out": 0, "rejected": 0}
    html = response.content.decode()
    assert f'href="/admin/subscribers/person/?list={lists[0].pk}&amp;status=active">2</a>' in html

    for n in range(3, 30):
        subscribe(lists, n, days_ago=3)
    services.subscription_list_upsert(list_id="1299", name="Flash sales")
    large, _ = query_count(marketing_client, CHANGELIST)
    assert small == large <= 8


def test_daily_counts_cover_90_days_and_leave_out_superseded_rows(lists):
    for n in range(4):
        subscribe(lists, n, days_ago=10, out_days_ago=1 if n < 2 else None)
    subscribe(lists, 9, days_ago=200)  # outside the window
    person = subscribe(lists, 10, days_ago=3)
    services.subscription_activate(  # late and older: superseded, not counted
        person=person,
        subscription_list=lists[0],
        source=Source.RECONCILE,
        occurred_at=timezone.now() - timedelta(days=20),
    )
    counts = daily_counts(lists[0])
    assert len(counts.days) == 90 and counts.days[-1] == timezone.now().date()
    assert counts.opt_ins[-11] == 4 and counts.opt_ins[-4] == 1
    assert counts.opt_outs[-2] == 2
    assert counts.total_in == 5 and counts.total_out == 2


def test_list_page_shows_counts_and_an_svg_chart_without_scripts(marketing_client, lists):
    for n in range(3):
        subscribe(lists, n, days_ago=10, out_days_ago=4 if n == 0 else None)
    small, response = query_count(marketing_client, f"{CHANGELIST}{lists[0].pk}/change/")
    html = response.content.decode()
    start = html.index('<svg class="daily-chart"')
    svg = html[start : html.index("</svg>", start)]
    assert "opt-ins (3)" in svg and "opt-outs (1)" in svg
    day = (timezone.now() - timedelta(days=10)).date()
    assert f"<title>{day:%b %d}: 3 opt-ins</title>" in svg
    assert len(re.findall(r'<rect x="[\d.]+" y="[\d.]+"', svg)) == 2
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert '<span class="n">2</span>Subscribed' in html

    for n in range(3, 40):
        subscribe(lists, n, days_ago=n % 80, out_days_ago=(n % 80) // 2 if n % 3 else None)
    large, _ = query_count(marketing_client, f"{CHANGELIST}{lists[0].pk}/change/")
    assert small == large <= 8
