"""Changing the number on a phone: the waiting notice, then a refusal's reason."""

import pytest

from subscribers.models import Person, Source
from subscribers.preferences import links
from subscribers.services import person_withdraw_number
from tests.browser import screenshot
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_asks_for_a_new_number_and_reads_why_it_was_not_used(live_server, phone_page):
    world = make_world()
    page = phone_page
    url = f"{live_server.url}{links.preference_path(world.person)}"
    page.goto(url)
    page.get_by_label("New mobile number").fill("(415) 555-0132")
    page.get_by_role("button", name="Text this number to confirm").click()
    page.wait_for_url("**/preferences/*/")
    assert "reply Y to confirm your new number" in page.locator(".notice").first.inner_text()
    screenshot(page, "number-waiting-phone")

    person = Person.objects.get(pk=world.person.pk)
    person_withdraw_number(
        person=person, mdn=person.pending_mdn, reason="confirmation_blocked", source=Source.PUSH
    )
    page.goto(url)
    notice = page.get_by_role("status").first.inner_text()
    assert "We couldn't switch your texts to +1" in notice and "keyword" in notice
    assert "New number not used" in page.locator(".history").inner_text()
    screenshot(page, "number-refused-phone")
