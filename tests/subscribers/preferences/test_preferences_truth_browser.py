"""What the preference page promises, per list, and the Spanish page with what staff
entered in Spanish, in chromium at 390 and 1366 px, checked with axe-core."""

import pytest

from subscribers.models import CustomField
from subscribers.preferences import links
from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


def spanish(world):
    world.weekly.name_es = "Ofertas semanales"
    world.weekly.public_description_es = "Un mensaje a la semana con nuestras mejores ofertas."
    world.events.name_es = "Eventos en tienda"
    world.events.public_description_es = "Invitaciones a eventos en tienda."
    world.orders.name_es = "Avisos de pedidos"
    world.weekly.save()
    world.events.save()
    world.orders.save()
    store = CustomField.objects.get(key="favorite_store")
    store.label_es = "Tienda favorita"
    store.options = [
        {"key": "downtown", "label": "Downtown", "label_es": "Centro"},
        {"key": "airport", "label": "Airport", "label_es": "Aeropuerto"},
    ]
    store.save()
    CustomField.objects.filter(key="first_name").update(label_es="Nombre")


@pytest.mark.parametrize("width", WIDTHS)
def test_joining_says_per_list_what_happens_next(live_server, browser, width):
    world = make_world()
    world.events.confirms_by_text = False  # its web campaign subscribes at once
    world.events.save()
    with open_page(browser, WIDTHS[width]) as page:
        page.goto(f"{live_server.url}{links.preference_path(world.person)}")
        note = page.locator(f"#list-{world.events.pk}-note").inner_text()
        assert note == "Joining subscribes you at once, with no text to answer."
        page.get_by_text("Store events", exact=True).click()
        page.get_by_role("button", name="Save my lists").click()
        page.wait_for_url("**/preferences/*/")
        said = page.locator(".messages").inner_text()
        assert "You're subscribed to Store events" in said and "reply Y" not in said
        state = page.locator(f"#list-{world.events.pk}-state").inner_text()
        assert state.endswith("Being added")
        document(page, f"preferences-joined-at-once-{width}")
        axe_check({"joined": axe_findings(page)})


def test_the_spanish_page_shows_lists_and_fields_in_spanish_on_a_phone(live_server, browser):
    world = make_world()
    spanish(world)
    with open_page(browser, {**PHONE, "locale": "es-ES"}) as page:
        page.goto(f"{live_server.url}{links.preference_path(world.person)}")
        body = page.locator("main").inner_text()
        assert "Ofertas semanales" in body and "Weekly deals" not in body
        assert "Tienda favorita" in body and "Favourite store" not in body
        assert page.get_by_label("Tienda favorita").input_value() == "downtown"
        assert "Te enviaremos un mensaje para confirmar esta lista." in body
        page.get_by_text("Eventos en tienda", exact=True).click()
        page.get_by_text("Ofertas semanales", exact=True).click()  # leaves it
        page.get_by_role("button", name="Guardar mis listas").click()
        page.wait_for_url("**/preferences/*/")
        said = page.locator(".messages").inner_text()
        assert "Eventos en tienda" in said and "Ofertas semanales" in said
        history = page.locator(".history li").first.inner_text()
        assert "Ofertas semanales" in history or "Eventos en tienda" in history
        document(page, "preferences-es-translated-phone")
        axe_check({"es": axe_findings(page)})
