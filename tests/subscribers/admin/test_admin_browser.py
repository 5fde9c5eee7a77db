"""The timeline and the list chart in a real browser, logged in through the login form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from subscribers import services
from subscribers.models import Source, SubscriptionEvent
from subscribers.preferences.evidence import Evidence
from tests.browser import screenshot

from .admin_helpers import PASSWORD, person_with_story

pytestmark = pytest.mark.browser


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


@pytest.mark.usefixtures("text_fields")
def test_person_timeline_in_a_browser(live_server, desktop_page, marketing_user, lists):
    person = person_with_story(lists, n=1, first="Ana", last="Garcia")
    services.subscription_activate(  # arrives late: kept, flagged superseded
        person=person,
        subscription_list=lists[0],
        source=Source.RECONCILE,
        occurred_at=person.events.get(kind="opted_out").occurred_at - timedelta(hours=5),
    )
    services.person_update(
        person=person,
        source=Source.PREFERENCE_PAGE,
        evidence=Evidence(
            ip_address="198.51.100.23",
            user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/126.0 Mobile",
            page="/preferences/…/",
        ),
        custom_fields={"first_name": "Anna"},
    )
    services.person_opt_out_all(
        person=person,
        source=Source.ADMIN,
        staff_user=marketing_user,
        opt_out_reason="user_request",
        note="Asked at the Riverside store to stop all texts.",
    )

    log_in(desktop_page, live_server.url, marketing_user.username)
    desktop_page.goto(f"{live_server.url}/admin/subscribers/person/{person.pk}/change/")
    timeline = desktop_page.locator("#opt-in-history")
    assert timeline.is_visible()
    entries = timeline.locator("ol.timeline > li")
    assert entries.count() == SubscriptionEvent.objects.filter(person=person).count()
    assert "Opted out — Store events" in entries.nth(0).inner_text()
    assert "Staff: mara" in entries.nth(0).inner_text()
    assert timeline.locator(".badge.superseded").count() == 1
    callback_link = timeline.locator("a[href^='/admin/callbacks/callbackevent/']").first
    assert "subscription_removed" in callback_link.inner_text()
    assert desktop_page.locator(".object-tools a.opt-out-link").is_visible()
    assert screenshot(desktop_page, "admin-person-timeline").stat().st_size > 10_000


def test_list_chart_in_a_browser(live_server, desktop_page, marketing_user, lists):
    weekly = lists[0]
    persons = [
        services.person_create(source=Source.ADMIN, mdn=f"+1415555{n:04d}") for n in range(12)
    ]
    for n, person in enumerate(persons):
        join = services.subscription_request if n % 4 == 0 else services.subscription_activate
        join(person=person, subscription_list=weekly, source=Source.PREFERENCE_PAGE)
        if n % 4 == 3:
            services.subscription_cancel(
                person=person, subscription_list=weekly, source=Source.ADMIN, opt_out_reason="x"
            )
    today = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    rows = []
    for day in range(90):
        ins = (day * 7) % 11 + (6 if day in (20, 21, 60) else 0)
        outs = (day * 5) % 4 + (5 if day == 61 else 0)
        for i in range(ins + outs):
            rows.append(
                SubscriptionEvent(
                    person=persons[i % 3],
                    subscription_list=weekly,
                    kind="opted_in" if i < ins else "opted_out",
                    source=Source.VIBES_CALLBACK,
                    occurred_at=today - timedelta(days=89 - day, minutes=i),
                )
            )
    SubscriptionEvent.objects.bulk_create(rows, batch_size=500)

    log_in(desktop_page, live_server.url, marketing_user.username)
    desktop_page.goto(f"{live_server.url}/admin/subscribers/subscriptionlist/{weekly.pk}/change/")
    chart = desktop_page.locator("svg.daily-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 150
    assert chart.locator("rect[fill='#2e7d32']").count() > 60
    counts = desktop_page.locator("#list-status-counts").inner_text()
    assert "6\nSubscribed" in counts and "3\nOpted out" in counts and "3\nWaiting" in counts
    assert screenshot(desktop_page, "admin-list-chart").stat().st_size > 10_000
