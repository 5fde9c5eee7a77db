"""Marketing's overview: each list's page and the admin index lead with the list's size,
net change over 7 and 30 days, opt-ins, opt-outs and the opt-out rate; the settings follow."""

import pytest
from django.core.cache import cache

from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document

from .admin_helpers import PASSWORD, log_in_as_superuser
from .test_admin_lists import CHANGELIST, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def history(lists):
    """Weekly deals: 10 subscribed 60 days ago, 3 joined 20 days ago, 2 joined 3 days ago;
    1 of the first ten left 2 days ago, 1 left 10 days ago."""
    joins = [(60, None)] * 8 + [(60, 2), (60, 10)] + [(20, None)] * 3 + [(3, None)] * 2
    for n, (days_ago, out) in enumerate(joins):
        subscribe(lists, n, days_ago=days_ago, out_days_ago=out)
    return lists[0]


def test_a_lists_page_leads_with_size_net_change_and_opt_out_rate(marketing_client, history):
    response = marketing_client.get(f"{CHANGELIST}{history.pk}/change/")
    o = response.context["overview"]
    assert o.subscribed == 13
    week, month = o.periods
    assert (week.opt_ins, week.opt_outs, week.net_shown) == (2, 1, "+1")
    assert (month.opt_ins, month.opt_outs, month.net_shown) == (5, 2, "+3")
    # 2 opt-outs over the 10 subscribers the list had 30 days ago.
    assert month.rate_shown == "20.0%" and week.rate_shown == "8.3%"
    html = response.content.decode()
    assert html.index("Overview") < html.index('id="subscriptionlist_form"')
    assert html.index("Opt-ins and opt-outs per day") < html.index('id="subscriptionlist_form"')
    assert "2 opt-ins, 1 opt-outs; opt-out rate 8.3%" in html


def test_the_admin_index_shows_every_list_at_a_glance(marketing_client, history):
    html = marketing_client.get("/admin/").content.decode()
    table = html.split('id="glance-heading"')[1].split("</table>")[0]
    row = table.split(">Weekly deals</a></th>")[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<")[0] for c in row.split("<td")[1:]]
    assert cells == ["13", "+1", "+3", "5", "2", "20.0%"]


def test_staff_who_may_not_see_lists_get_no_overview(client, django_user_model, history):
    clerk = django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    client.force_login(clerk)
    assert "Lists at a glance" not in client.get("/admin/").content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_overview_in_a_browser_and_no_table_cut_at_1366(live_server, browser, lists, width):
    for n in range(6):
        subscribe(lists, n, days_ago=40 - 6 * n, out_days_ago=5 if n == 1 else None)
    with open_page(browser, PHONE if width == "phone" else DESKTOP) as page:
        log_in_as_superuser(page, live_server.url)
        glance = page.get_by_role("table", name="Lists at a glance")
        assert glance.is_visible()
        # No list name broken letter by letter; at 1366 px every column in view (a phone
        # scrolls the table sideways within its box).
        fits = page.evaluate(
            "(() => { const t = document.querySelector('.glance table');"
            " return t.scrollWidth <= t.parentElement.clientWidth; })()"
        )
        assert fits or width == "phone"
        name_cell = glance.get_by_role("link", name="Weekly deals").bounding_box()
        assert name_cell["height"] < 3 * 20, name_cell
        document(page, f"admin-index-overview-{width}")
        found = {"index": axe_findings(page)}
        page.goto(f"{live_server.url}{CHANGELIST}{lists[0].pk}/change/")
        assert page.locator("#list-activity").is_visible()
        document(page, f"admin-list-overview-{width}")
        found["list"] = axe_findings(page)
        page.goto(f"{live_server.url}{CHANGELIST}")
        found["lists"] = axe_findings(page)
        if width == "desktop":
            overflow = page.evaluate(
                "(() => { const t = document.querySelector('#result_list');"
                " return t.scrollWidth - t.parentElement.clientWidth; })()"
            )
            assert overflow <= 0, overflow
            document(page, "admin-lists-desktop")
        axe_check(found)
