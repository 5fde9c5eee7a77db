"""Changing the number on a phone: the code texted to it, the waiting notice, then a
refusal's reason."""

import pytest

from subscribers.models import Person, Source
from subscribers.preferences import links
from subscribers.services import person_withdraw_number
from tests import texts
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
    page.wait_for_url("**/preferences/*/#number-code")
    assert "We've texted a code to +1" in page.locator(".messages").inner_text()
    code_field = page.get_by_label("Code from the text")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    screenshot(page, "number-code-phone")

    # A wrong code says so, with the tries left, and keeps the code step.
    code_field.fill("12345" if texts.last_code() != "12345" else "54321")
    page.get_by_role("button", name="Use this number").click()
    assert "You can try 4 more times." in page.locator("#code-errors").inner_text()
    screenshot(page, "number-code-wrong-phone")
    page.get_by_label("Code from the text").fill(texts.last_code())
    page.get_by_role("button", name="Use this number").click()
    page.wait_for_url("**/preferences/*/")
    assert "asking each of your lists to move to it" in page.locator(".notice").first.inner_text()
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
