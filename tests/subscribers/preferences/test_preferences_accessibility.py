"""Every state of the subscriber pages, checked with axe-core at phone and desktop widths:
fresh, after each save, each error, stop-all, an expired link and the new-link pages.

Screenshots go to tests/artifacts/ (a11y-prefs-<state>-<width>.png), with the findings of
each run as JSON next to them.
"""

import json
import re
import time
from datetime import timedelta

import pytest
from django.core import signing

from subscribers.preferences import links
from tests import texts
from tests.browser import ARTIFACTS, PHONE, axe_check, axe_findings, open_page, screenshot
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {
    "390": PHONE,
    "1280": {"viewport": {"width": 1280, "height": 900}},
}

#: Moderate findings that stay, each explained in the README ("Accessibility").
ACCEPTED_MODERATE: set[str] = set()


def expired_path(person, monkeypatch) -> str:
    """A link signed longer ago than PREFERENCE_LINK_MAX_AGE_DAYS."""
    signed_at = time.time() - timedelta(days=31).total_seconds()
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: signed_at)
        return links.preference_path(person)


def summary_has_focus(page):
    """The error summary opens the page and holds the focus, so it is seen and read."""
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = page.locator("#error-summary").bounding_box()
    assert box["y"] < page.viewport_size["height"] / 2, box


def saved(page):
    page.wait_for_url("**/preferences/*/")
    assert page.locator(".messages li").count() >= 1


@pytest.mark.parametrize("width", WIDTHS)
def test_every_state_of_the_subscriber_pages_has_no_serious_accessibility_findings(
    live_server, browser, monkeypatch, width
):
    world = make_world()
    own_page = f"{live_server.url}{links.preference_path(world.person)}"
    found, sideways = {}, {}

    def check(page, state):
        found[state] = axe_findings(page)
        screenshot(page, f"a11y-prefs-{state}-{width}")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if page_width > int(width):
            sideways[state] = page_width

    with open_page(browser, WIDTHS[width]) as page:
        page.goto(own_page)
        check(page, "fresh")

        page.get_by_label("Store events").check()
        page.get_by_role("button", name="Save my lists").click()
        saved(page)
        check(page, "lists-saved")

        page.get_by_role("button", name="Save my lists").click()
        saved(page)
        check(page, "lists-unchanged")

        # A date the browser's picker would not let through, typed as text.
        page.eval_on_selector("input[type=date]", "el => { el.type = 'text'; }")
        page.get_by_label("Birthday").fill("1990-13-45")
        with page.expect_navigation():  # the answer, not the page it replaces
            page.get_by_role("button", name="Save my details").click()
        assert page.locator("[aria-invalid=true]").count() == 1
        summary_has_focus(page)
        check(page, "details-error")
        page.get_by_role("link", name="Birthday: Enter a valid date.").click()
        assert page.evaluate("document.activeElement.id") == "id_d-birthday"

        page.get_by_label("First name").fill("Anabel")
        page.get_by_label("Birthday").fill("1990-04-05")
        page.get_by_role("button", name="Save my details").click()
        saved(page)
        check(page, "details-saved")

        page.get_by_label("New mobile number").fill("12")
        page.get_by_role("button", name="Text this number to confirm").click()
        assert page.locator("#number-errors").is_visible()
        summary_has_focus(page)
        check(page, "number-error")

        page.get_by_label("New mobile number").fill("(415) 555-0132")
        page.get_by_role("button", name="Text this number to confirm").click()
        page.wait_for_url("**/preferences/*/#number-code")
        check(page, "number-code")

        page.get_by_label("Code from the text").fill(
            "000000" if texts.last_code() != "000000" else "111111"
        )
        page.get_by_role("button", name="Use this number").click()
        assert page.locator("#code-errors").is_visible()
        summary_has_focus(page)
        check(page, "number-code-error")

        page.get_by_label("Code from the text").fill(texts.last_code())
        page.get_by_role("button", name="Use this number").click()
        saved(page)
        check(page, "number-requested")

        page.get_by_role("link", name="Stop all texts…").click()
        check(page, "stop-confirm")
        page.get_by_role("button", name="Yes, stop all texts").click()
        saved(page)
        check(page, "stopped")

        page.goto(f"{live_server.url}{expired_path(world.person, monkeypatch)}")
        assert page.get_by_role("heading", level=1).inner_text() == "This link no longer works"
        check(page, "expired-link")

        page.goto(f"{live_server.url}/preferences/new-link/")
        check(page, "new-link")
        page.get_by_label("Your mobile number").fill("12")
        page.get_by_role("button", name="Text me a new link").click()
        assert page.locator("#mdn-errors").is_visible()
        summary_has_focus(page)
        check(page, "new-link-error")
        page.get_by_label("Your mobile number").fill("(415) 555-0100")
        page.get_by_role("button", name="Text me a new link").click()
        page.wait_for_url(re.compile(r".*/new-link/sent/\?text=[0-9a-f-]+$"))
        check(page, "link-sent")

    (ARTIFACTS / f"a11y-prefs-findings-{width}.json").write_text(json.dumps(found, indent=1))
    axe_check(found)
    moderate = {
        state: [f for f in findings["moderate"] if f[0] not in ACCEPTED_MODERATE]
        for state, findings in found.items()
    }
    assert {state: f for state, f in moderate.items() if f} == {}
    assert sideways == {}  # nothing makes a phone scroll sideways


def test_the_spanish_error_summary_takes_the_focus_on_a_phone(live_server, browser):
    world = make_world()
    context = browser.new_context(**PHONE, locale="es-ES")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{links.preference_path(world.person)}")
        page.get_by_label("Número de celular nuevo").fill("12")
        page.get_by_role("button", name="Enviar mensaje de confirmación").click()
        summary_has_focus(page)
        assert page.locator("#error-summary h2").inner_text() == "Hay un problema"
        assert page.title().startswith("Error: ")
        axe_check({"number-error-es": axe_findings(page)})
        screenshot(page, "a11y-prefs-number-error-es-390")
    finally:
        context.close()
