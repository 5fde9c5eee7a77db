"""Texts of our own in a browser, through the simulator's Event API: the code for a new
number read from the phone's inbox, then a code and a link that Vibes could not send.

No broker here: the test does the worker's part (``work``): it sends the pushes waiting
and applies the callbacks the simulator delivered to the live server."""

import re

import pytest

from callbacks.apply import events_apply_received
from subscribers import services, tasks
from subscribers.models import Push, Source, Text
from subscribers.preferences import links
from tests.browser import axe_check, axe_findings, screenshot
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW, OTHER = "+14155550132", "+14155550133"
TOKEN = "tok-" + "w" * 40


@pytest.fixture
def event_api(vibes_simulator, live_server, settings):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    settings.VIBES_EVENT_TYPE_NUMBER_CODE = "prefs_number_code"
    settings.VIBES_EVENT_TYPE_PREFERENCE_LINK = "prefs_preference_link"
    settings.NUMBER_CODE_SENDER = "subscribers.outbox.texts.number_code_sender"
    settings.PREFERENCE_LINK_SENDER = "subscribers.outbox.texts.preference_link_sender"
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0
    vibes_simulator.state.callback_register(
        {
            "callback_type": "event_processed",
            "event_processed": {"callbacks_to_send": "all"},
            "destination": {"url": f"{live_server.url}/callbacks/vibes/{TOKEN}/"},
        }
    )
    return vibes_simulator


def work(sim) -> None:
    """What the worker would do: send the texts waiting, then apply Vibes' answers."""
    for pk in Push.objects.filter(kind=Push.Kind.TEXT, state="pending").values_list(
        "pk", flat=True
    ):
        tasks.push_send(pk)
    assert sim.wait_idle(10)
    events_apply_received()


def test_the_code_comes_from_the_phone_and_a_text_that_failed_says_so(
    live_server, phone_page, event_api
):
    world = make_world()
    page = phone_page
    url = f"{live_server.url}{links.preference_path(world.person)}"
    page.goto(url)
    page.get_by_label("New mobile number").fill("(415) 555-0132")
    page.get_by_role("button", name="Text this number to confirm").click()
    page.wait_for_url("**/preferences/*/#number-code")
    work(event_api)
    [texted] = event_api.inbox(NEW)
    code = re.search(r"\d{6}", texted["text"]).group()
    page.get_by_label("Code from the text").fill(code)
    page.get_by_role("button", name="Use this number").click()
    page.wait_for_url("**/preferences/*/")
    assert "asking each of your lists" in page.locator(".notice").first.inner_text()

    # No campaign for the event type any more: Vibes answers with a routing failure.
    event_api.state.event_types_set({})
    page.get_by_label("New mobile number").fill("(415) 555-0133")
    page.get_by_role("button", name="Text this number to confirm").click()
    page.wait_for_url("**/preferences/*/#number-code")
    work(event_api)
    assert event_api.inbox(OTHER) == []
    page.goto(url)
    notice = page.get_by_role("status").first.inner_text()
    assert "We couldn't text a code to +1" in notice
    assert page.get_by_label("Code from the text").count() == 0
    screenshot(page, "number-code-not-sent-phone")
    findings = {"code not sent": axe_findings(page)}

    page.goto(f"{live_server.url}/preferences/new-link/")
    services.person_create(source=Source.ADMIN, mdn="+14155550177")
    page.get_by_label("Your mobile number").fill("(415) 555-0177")
    page.get_by_role("button", name="Text me a new link").click()
    page.wait_for_url(re.compile(r".*/new-link/sent/\?text=[0-9a-f-]+$"))
    assert "Check your texts" in page.locator("h1").inner_text()
    work(event_api)
    assert Text.objects.filter(kind="preference_link", state="failed").count() == 1
    page.get_by_role("link", name="Check again whether it was sent").click()
    assert "We couldn't text you a link" in page.locator("h1").inner_text()
    assert "could not send a text" in page.get_by_role("alert").inner_text()
    screenshot(page, "link-not-sent-phone")
    findings["link not sent"] = axe_findings(page)
    axe_check(findings)
