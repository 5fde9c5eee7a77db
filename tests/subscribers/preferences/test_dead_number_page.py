"""The preference page of a person whose number died (a carrier opt-out): it says so, in
English and Spanish, and no list can be re-ticked for that number: a fresh opt-in is
needed (a new number confirmed here, or a subscription from Vibes)."""

import pytest
from django.utils import timezone

from subscribers import services
from subscribers.models import Subscription
from subscribers.preferences import links
from tests.browser import PHONE, axe_check, axe_findings, open_page, screenshot
from tests.subscribers.preferences.prefs_helpers import make_world

NOTICE = "is no longer in service, so every list has ended for it"
NOTICE_ES = "ya no está en servicio, así que todas sus listas terminaron"


def kill_number(world):
    services.person_number_dead(
        person=world.person, reason="disconnect", occurred_at=timezone.now()
    )


@pytest.mark.django_db
def test_the_page_says_the_number_is_no_longer_valid_and_offers_no_list(client, world, url):
    kill_number(world)
    body = client.get(url).content.decode()
    assert NOTICE in body and "Your number is no longer valid" in body
    assert "Texts go to" not in body
    assert 'name="list"' not in body and "Save my lists" not in body  # no box to tick
    assert "Add your mobile number below to join this list." in body
    # The carrier reported it: the history does not say the person texted anything.
    assert "<li>Number no longer valid <span>by our texting service</span>" in body
    assert "<li>Left Weekly deals <span>by our texting service</span>" in body


@pytest.mark.django_db
def test_ticking_a_list_for_the_dead_number_joins_nothing(client, world, url):
    kill_number(world)
    client.post(
        f"{url}lists/",
        {"shown": [f"{world.weekly.pk}:0", f"{world.events.pk}:0"], "list": [world.weekly.pk]},
    )
    subs = Subscription.objects.filter(person=world.person, subscription_list=world.weekly)
    assert subs.get().status == "opted_out"
    assert not Subscription.objects.filter(person=world.person, subscription_list=world.events)


@pytest.mark.django_db
def test_the_page_says_it_in_spanish(client, world, url):
    kill_number(world)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert NOTICE_ES in body and "Tu número ya no es válido" in body
    assert "El número ya no es válido" in body  # the history row


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dead_number_page_in_a_phone_browser(live_server, browser):
    world = make_world()
    kill_number(world)
    address = f"{live_server.url}{links.preference_path(world.person)}"
    found = {}
    for lang, notice in (("en-US", NOTICE), ("es-MX", NOTICE_ES)):
        with open_page(browser, {**PHONE, "locale": lang}) as page:
            page.goto(address)
            assert notice in page.get_by_role("status").first.inner_text()
            assert page.locator('input[name="list"]').count() == 0
            assert page.locator('input[type="tel"]').first.is_visible()
            screenshot(page, f"preferences-dead-number-{lang}")
            found[lang] = axe_findings(page)
    axe_check(found)
