"""The preference pages in Debian's chromium on a phone-sized screen, as a person uses them."""

import pytest

from subscribers import suppression
from subscribers.models import Subscription, SubscriptionEvent, SuppressedNumber
from subscribers.preferences import links
from tests import texts
from tests.browser import ARTIFACTS, PHONE, screenshot
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def status(world, sub_list):
    return Subscription.objects.get(person=world.person, subscription_list=sub_list).status


def test_a_person_manages_their_texts_on_a_phone(live_server, phone_page):
    world = make_world()
    page = phone_page
    page.goto(f"{live_server.url}{links.preference_path(world.person)}")
    assert page.get_by_role("heading", level=1).inner_text() == "Your text message preferences"
    assert page.get_by_text("+1\u00a0•••\u00a0•••\u00a01234").first.is_visible()
    screenshot(page, "preferences-page-phone")

    # Join a list: tap the label, as a thumb would.
    page.get_by_text("Store events", exact=True).click()
    page.get_by_role("button", name="Save my lists").click()
    page.wait_for_url("**/preferences/*/")
    assert "reply Y to confirm Store events" in page.locator(".messages").inner_text()
    assert (
        page.locator(f"#list-{world.events.pk}-state")
        .inner_text()
        .endswith("Waiting for your confirmation text")
    )
    assert status(world, world.events) == Subscription.Status.PENDING
    screenshot(page, "preferences-joined-phone")

    # Leave a list.
    page.get_by_label("Weekly deals").uncheck()
    page.get_by_role("button", name="Save my lists").click()
    page.wait_for_url("**/preferences/*/")
    assert "won't get texts from Weekly deals" in page.locator(".messages").inner_text()
    assert status(world, world.weekly) == Subscription.Status.OPTED_OUT

    # Edit details: a bad date first, then a good one.
    page.get_by_label("First name").fill("Anabel")
    page.get_by_label("Favourite store").select_option("airport")
    page.get_by_label("Coats").check()
    page.get_by_label("Birthday").fill("1990-04-05")
    page.get_by_role("button", name="Save my details").click()
    page.wait_for_url("**/preferences/*/")
    assert "Your details are saved." in page.locator(".messages").inner_text()
    world.person.refresh_from_db()
    assert world.person.custom_fields["first_name"] == "Anabel"
    assert world.person.custom_fields["interests"] == ["coats"]
    assert world.person.custom_fields["birthday"] == "1990-04-05"
    screenshot(page, "preferences-details-saved-phone")

    # A new number is texted a code; typed back, it waits for its confirmation text.
    page.get_by_label("New mobile number").fill("(415) 555-0132")
    page.get_by_role("button", name="Text this number to confirm").click()
    page.wait_for_url("**/preferences/*/#number-code")
    page.get_by_label("Code from the text").fill(texts.last_code())
    page.get_by_role("button", name="Use this number").click()
    page.wait_for_url("**/preferences/*/")
    assert "asking each of your lists to move to" in page.locator(".messages").inner_text()
    world.person.refresh_from_db()
    assert (world.person.mdn, world.person.pending_mdn) == ("+12995551234", "+14155550132")

    # A focused control shows where the keyboard is.
    page.get_by_role("button", name="Save my lists").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.screenshot(path=str(ARTIFACTS / "preferences-focus-phone.png"))

    # Stop all, with a confirmation step.
    page.get_by_role("link", name="Stop all texts…").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Stop all texts?"
    screenshot(page, "preferences-stop-confirm-phone")
    page.get_by_role("button", name="Yes, stop all texts").click()
    page.wait_for_url("**/preferences/*/")
    assert "we won't send you any more texts" in page.locator(".messages").inner_text()
    assert not Subscription.objects.filter(
        person=world.person, status__in=["active", "pending"]
    ).exists()
    assert SubscriptionEvent.objects.filter(
        source="preference_page", user_agent__contains="Chrome"
    ).exists()
    history = page.locator(".history li").all_inner_texts()
    assert history[0].startswith("New number withdrawn on this page")
    assert any(h.startswith("Left Store events on this page") for h in history)
    screenshot(page, "preferences-stopped-phone")


def test_a_dead_link_and_the_spanish_page_on_a_phone(live_server, browser):
    world = make_world()
    context = browser.new_context(**PHONE, locale="es-ES")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/preferences/this-link-is-not-valid/")
        assert page.get_by_role("heading", level=1).inner_text() == "Este enlace ya no funciona"
        page.get_by_label("Tu número de celular").fill("12")
        page.get_by_role("button", name="Envíame un enlace nuevo").click()
        assert "número de celular válido" in page.locator(".errorlist").inner_text()
        screenshot(page, "preferences-dead-link-es-phone")
        page.get_by_label("Tu número de celular").fill("(415) 555-0100")
        page.get_by_role("button", name="Envíame un enlace nuevo").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Revisa tus mensajes"
        screenshot(page, "preferences-link-sent-es-phone")
        page.goto(f"{live_server.url}{links.preference_path(world.person)}")
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Tus preferencias de mensajes de texto"
        )
        screenshot(page, "preferences-page-es-phone")
    finally:
        context.close()


def test_the_pages_work_with_javascript_off(live_server, browser):
    world = make_world()
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{links.preference_path(world.person)}")
        page.get_by_label("Store events").check()
        page.get_by_role("button", name="Save my lists").click()
        page.wait_for_url("**/preferences/*/")
        assert status(world, world.events) == Subscription.Status.PENDING
        page.get_by_role("link", name="Stop all texts…").click()
        page.get_by_role("button", name="Yes, stop all texts").click()
        page.wait_for_url("**/preferences/*/")
        assert status(world, world.events) == Subscription.Status.OPTED_OUT
    finally:
        context.close()


def test_joining_with_an_erased_number_says_no_text_is_sent_on_a_phone(live_server, phone_page):
    world = make_world()
    SuppressedNumber.objects.create(number_hash=suppression.number_hash(world.person.mdn))
    page = phone_page
    page.goto(f"{live_server.url}{links.preference_path(world.person)}")
    page.get_by_text("Store events", exact=True).click()
    page.get_by_role("button", name="Save my lists").click()
    page.wait_for_url("**/preferences/*/")
    assert page.locator(".messages").inner_text().strip() == "We can't send texts to this number."
    assert not page.get_by_label("Store events").is_checked()
    screenshot(page, "preferences-erased-number-phone")
