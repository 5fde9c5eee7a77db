"""The opt-out deadlines page separates what is open from what Vibes confirmed late, does
not call an opt-out Vibes reported "missed", and says plainly when nothing is open."""

from datetime import timedelta

import pytest
from django.utils import timezone

from subscribers import deadlines, services
from subscribers.models import OptOutDeadline, Source
from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document

from .admin_helpers import log_in_as_superuser, person_with_story

pytestmark = pytest.mark.django_db
PAGE = "/admin/subscribers/optoutdeadline/"


def opt_out(person, sub_list, *, source, ago):
    services.subscription_cancel(
        person=person,
        subscription_list=sub_list,
        source=source,
        occurred_at=timezone.now() - ago,
        opt_out_reason="user_opt_out",
    )


@pytest.fixture
def rows(lists):
    """One opt-out made here and confirmed a day late; one Vibes reported months after it
    happened (the extract); nothing open."""
    late = person_with_story(lists, n=5)
    opt_out(late, lists[2], source=Source.ADMIN, ago=timedelta(days=3))
    deadlines.confirm(person=late, subscription_list=lists[2], how="push")
    OptOutDeadline.objects.filter(person=late).update(
        confirmed_at=timezone.now() - timedelta(days=2)
    )
    old = person_with_story(lists, n=6)
    opt_out(old, lists[2], source=Source.IMPORT, ago=timedelta(days=120))
    return late, old


def test_nothing_open_is_said_plainly(marketing_client, rows):
    html = marketing_client.get(PAGE).content.decode()
    assert "Nothing is open: Vibes has confirmed every opt-out made here." in html


def test_confirmed_late_lists_only_our_own_opt_outs_vibes_confirmed_after_the_target(
    marketing_client, rows
):
    late, old = rows
    page = marketing_client.get(PAGE, {"state": "late"})
    assert [r.person_id for r in page.context["cl"].result_list] == [late.pk]
    everything = marketing_client.get(PAGE, {"state": "all"}).content.decode()
    assert "from Vibes: nothing to confirm" in everything
    assert everything.count(">missed<") == 1  # ours, a day late; not the one from Vibes


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_deadlines_page_fits_1366_and_reads_in_a_browser(live_server, browser, rows, width):
    with open_page(browser, PHONE if width == "phone" else DESKTOP) as page:
        log_in_as_superuser(page, live_server.url)
        page.goto(f"{live_server.url}{PAGE}")
        assert "Nothing is open" in page.locator(".messagelist").inner_text()
        found = {"open": axe_findings(page)}
        page.goto(f"{live_server.url}{PAGE}?state=all")
        if width == "desktop":
            overflow = page.evaluate(
                "(() => { const t = document.querySelector('#result_list');"
                " return t.scrollWidth - t.parentElement.clientWidth; })()"
            )
        document(page, f"admin-optout-deadlines-{width}")
        if width == "desktop":
            assert overflow <= 0, overflow
        found["all"] = axe_findings(page)
        axe_check(found)
