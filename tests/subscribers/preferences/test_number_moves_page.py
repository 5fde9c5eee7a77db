# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""What the page promises about a new number: what each list answered, no more.

Ana is on Order updates (its campaign subscribes at once), Store events and Weekly deals
(their campaigns text for a "Y") and Staff alerts (no web campaign). The number push runs
in-process against the simulator (tests/subscribers/outbox/test_number_push.py).
"""

import pytest

from subscribers import services, tasks
from subscribers.models import Person, Source
from subscribers.outbox.models import Push
from subscribers.preferences import links
from tests import texts
from tests.browser import axe_check, axe_findings, screenshot
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401
from tests.subscribers.preferences.prefs_helpers import ask_and_prove, make_world

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "2342314"  # single opt-in in the simulator (simulator/seed.py)
SHOWN_NEW = "+1\u00a0•••\u00a0•••\u00a00132"


@pytest.fixture
def ana(vibes_simulator):
    world = make_world()
    for sub_list in (world.orders, world.events):
        services.subscription_activate(
            person=world.person, subscription_list=sub_list, source=Source.VIBES_CALLBACK
        )
    return world.person


def run_number_push(person) -> str:
    push = Push.objects.get(person=person, kind=Push.Kind.NUMBER, state=Push.State.PENDING)
    return tasks.push_send(push.pk)


def moves_card(body: str) -> str:
    return body.split('class="card notice number-moves"')[1].split("</section>")[0]


def test_the_form_names_the_list_that_cannot_move_and_promises_no_reply(client, ana):
    body = client.get(links.preference_path(ana)).content.decode()
    hint = body.split('id="number-hint">')[1].split("</p>")[0]
    assert "only after you reply Y" not in hint
    assert "each of your lists is asked to move to it" in hint
    assert "Staff alerts can&#x27;t move to a new number online" in hint


def test_the_page_says_what_each_list_answered_once_the_number_is_in_use(client, ana, published):
    url = links.preference_path(ana)
    body = ask_and_prove(client, url, "(415) 555-0132").content.decode()
    assert "asking each of your lists to move to" in body  # nothing answered yet
    assert "reply Y" not in moves_card(body)
    assert "confirmed" in run_number_push(ana)
    card = moves_card(client.get(url).content.decode())
    assert "How your lists moved to your new number" in card
    assert "Order updates: moved to the new number." in card
    assert f"Store events: reply Y to the text we sent to {SHOWN_NEW}." in card
    assert f"Weekly deals: reply Y to the text we sent to {SHOWN_NEW}." in card
    assert "Staff alerts can&#x27;t move to the new number: it can&#x27;t be joined online." in card


def test_while_every_list_waits_the_page_asks_for_each_reply(
    client, ana, vibes_simulator, published
):
    vibes_simulator.state.campaigns[ORDERS].double_opt_in = True
    url = links.preference_path(ana)
    ask_and_prove(client, url, "(415) 555-0132")
    assert run_number_push(ana).startswith("confirmation text sent")
    card = moves_card(client.get(url).content.decode())
    assert f'Your lists and your new number <span class="number">{SHOWN_NEW}' in card
    assert f"Order updates: reply Y to the text we sent to {SHOWN_NEW}." in card
    assert "moves to the new number at once" not in card


def test_a_withdrawn_number_leaves_no_promise(client, ana, vibes_simulator, published):
    vibes_simulator.state.campaigns[ORDERS].double_opt_in = True
    url = links.preference_path(ana)
    ask_and_prove(client, url, "(415) 555-0132")
    run_number_push(ana)
    client.post(f"{url}stop/")
    assert 'class="card notice number-moves"' not in client.get(url).content.decode()


@pytest.mark.browser
def test_on_a_phone_each_list_says_how_it_moved(live_server, phone_page, ana, published):
    page = phone_page
    url = f"{live_server.url}{links.preference_path(ana)}"
    page.goto(url)
    hint = page.locator("#number-hint").inner_text()
    assert "Staff alerts can't move to a new number online" in hint
    page.get_by_label("New mobile number").fill("(415) 555-0132")
    page.get_by_role("button", name="Text this number to confirm").click()
    page.wait_for_url("**/preferences/*/#number-code")
    page.get_by_label("Code from the text").fill(texts.last_code())
    page.get_by_role("button", name="Use this number").click()
    page.wait_for_url("**/preferences/*/")
    assert "asking each of your lists" in page.locator(".number-moves").inner_text()
    run_number_push(Person.objects.get(pk=ana.pk))
    page.goto(url)
    moves = page.locator(".number-moves li").all_inner_texts()
    assert moves[0] == "Order updates: moved to the new number."
    assert any(m.startswith("Store events: reply Y to the text we sent to") for m in moves)
    page.locator(".number-moves").scroll_into_view_if_needed()
    screenshot(page, "number-moves-phone")
    axe_check({"number moves": axe_findings(page)})


def test_after_stop_all_no_reply_is_asked_for_any_more(client, ana, published):
    url = links.preference_path(ana)
    ask_and_prove(client, url, "(415) 555-0132")
    run_number_push(ana)  # Order updates moved: the number is in use
    client.post(f"{url}stop/")
    card = moves_card(client.get(url).content.decode())
    assert "Order updates: moved to the new number." in card
    assert "reply Y" not in card


def test_the_number_form_speaks_spanish(client, ana):
    body = client.get(links.preference_path(ana), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "pediremos a cada una de tus listas que pase a ese número" in body
    assert "Staff alerts no puede pasar a un número nuevo en línea" in body
