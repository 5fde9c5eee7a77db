"""The review queue in a real browser as a Marketing user: one click confirms a text."""

import re
from datetime import timedelta

import pytest

from subscribers import services
from subscribers.models import RevocationReview, Source, Subscription
from tests.browser import screenshot

from .admin_helpers import T0
from .test_admin_browser import log_in

pytestmark = pytest.mark.browser


def test_one_click_confirms_a_text_in_the_queue(live_server, desktop_page, marketing_user, lists):
    person = services.person_create(source=Source.IMPORT, person_key="pk-ana", mdn="+14155550101")
    services.subscription_activate(
        person=person, subscription_list=lists[0], source=Source.VIBES_CALLBACK, occurred_at=T0
    )
    for n, words in enumerate(("please stop texting me", "no more")):
        services.revocation_review_open(
            text=words,
            sent_at=T0 + timedelta(days=1, minutes=n),
            reason="near_miss",
            mdn=person.mdn,
            person=person,
        )
    page = desktop_page
    log_in(page, live_server.url, marketing_user.username)
    page.goto(f"{live_server.url}/admin/subscribers/revocationreview/")
    screenshot(page, "admin-revocation-queue")
    first = page.locator("#result_list tbody tr").first
    assert "please stop texting me" in first.inner_text()
    first.get_by_role("button", name=re.compile("^Confirm")).click()
    page.wait_for_load_state()
    assert "out of 1 list(s)" in page.locator(".messagelist").inner_text()
    screenshot(page, "admin-revocation-confirmed")
    assert Subscription.objects.get(person=person).status == "opted_out"
    states = dict(RevocationReview.objects.values_list("text", "state"))
    assert states == {"please stop texting me": "confirmed", "no more": "open"}
    assert page.locator("#result_list tbody tr").count() == 1  # only the open one is left
