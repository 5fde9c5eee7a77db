"""The preference page around a number change: waiting, refused, and what confirming joins."""

import pytest

from subscribers import services
from subscribers.models import Source, SubscriptionEvent, SubscriptionList
from subscribers.outbox.models import Push
from subscribers.preferences import links
from subscribers.services import person_withdraw_number
from subscribers.services.proofs import console_sender
from tests import texts
from tests.subscribers.preferences.prefs_helpers import ask_and_prove, snapshot

pytestmark = pytest.mark.django_db

NEW = "+14155550132"
SHOWN_NEW = "+1\u00a0•••\u00a0•••\u00a00132"
#: What the page says once the code is right and before the lists have answered: no "Y"
#: is promised before a list asks for one (number_rows.py).
ASKING = "asking each of your lists to move to"


def test_a_new_number_is_texted_a_code_first_and_nothing_goes_to_vibes_before_it(
    client, world, url, texted_codes
):
    texts.post_number(client, url, "(415) 555-0132")
    body = client.get(url).content.decode()
    assert "We&#x27;ve texted a code to" in body and SHOWN_NEW in body
    assert 'autocomplete="one-time-code"' in body
    assert [(pk, mdn) for pk, mdn, _code in texted_codes] == [(world.person.pk, NEW)]
    assert texted_codes[0][2] not in body and "4155550132" not in body
    world.person.refresh_from_db()
    assert world.person.pending_mdn == ""
    assert not Push.objects.filter(person=world.person, kind=Push.Kind.NUMBER).exists()


def test_the_code_typed_back_queues_the_numbers_push_and_shows_it_waiting(client, world, url):
    body = ask_and_prove(client, url, "(415) 555-0132").content.decode()
    assert ASKING in body and SHOWN_NEW in body
    assert Push.objects.filter(person=world.person, kind=Push.Kind.NUMBER).count() == 1
    assert "4155550132" not in body
    proved = SubscriptionEvent.objects.get(person=world.person, changes__pending_mdn__1=NEW)
    assert "proved by the code texted to it" in proved.note


def test_a_wrong_code_is_counted_and_five_wrong_ones_end_the_request(client, world, url):
    texts.post_number(client, url, "(415) 555-0132")
    right = texts.last_code()
    wrong = "000000" if right != "000000" else "111111"
    answer = client.post(f"{url}number/code/", {"c-code": wrong})
    assert answer.status_code == 400
    assert "You can try 4 more times." in answer.content.decode()
    for _ in range(4):
        answer = client.post(f"{url}number/code/", {"c-code": wrong}, follow=True)
    assert "can&#x27;t be tried again" in answer.content.decode()
    # Even the right code is refused now: guessing a million codes five at a time is
    # bounded by the texting limits.
    client.post(f"{url}number/code/", {"c-code": right})
    world.person.refresh_from_db()
    assert world.person.pending_mdn == ""
    assert not Push.objects.filter(person=world.person, kind=Push.Kind.NUMBER).exists()


def test_an_expired_code_is_refused_with_a_way_on(client, world, url, settings):
    settings.NUMBER_CODE_MAX_AGE_MINUTES = 0
    texts.post_number(client, url, "(415) 555-0132")
    answer = client.post(f"{url}number/code/", {"c-code": texts.last_code()}, follow=True)
    assert "That code has expired. Ask for a new one below." in answer.content.decode()
    world.person.refresh_from_db()
    assert world.person.pending_mdn == ""


def test_a_refused_number_shows_the_reason(client, world, url):
    services.person_request_number(person=world.person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    person_withdraw_number(
        person=world.person, mdn=NEW, reason="confirmation_blocked", source=Source.PUSH
    )
    body = client.get(url).content.decode()
    assert f"We couldn&#x27;t switch your texts to {SHOWN_NEW}." in body
    assert "once replied “No” to our confirmation text" in body
    assert ASKING not in body
    assert "New number not used" in body


def test_a_no_reply_shows_the_reason_and_a_new_request_clears_it(client, world, url):
    services.person_request_number(person=world.person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    person_withdraw_number(
        person=world.person, mdn=NEW, reason="replied_no", source=Source.VIBES_CALLBACK
    )
    assert "The new number replied “No”" in client.get(url).content.decode()
    ask_and_prove(client, url, "(415) 555-0199")
    body = client.get(url).content.decode()
    assert "replied “No”" not in body.split('id="lists-heading"')[0]
    assert ASKING in body


def test_withdrawing_a_number_no_longer_waiting_changes_nothing(world):
    assert not person_withdraw_number(
        person=world.person, mdn=NEW, reason="replied_no", source=Source.VIBES_CALLBACK
    )
    assert not SubscriptionEvent.objects.filter(opt_out_reason="replied_no").exists()


def test_a_person_on_no_list_is_told_which_list_confirming_joins(client, world):
    person = services.person_create(source=Source.ADMIN, external_person_id="crm-nonumber")
    url = links.preference_path(person)
    body = client.get(url).content.decode()
    assert "Confirming it also subscribes you to Order updates." in body
    ask_and_prove(client, url, "(415) 555-0132")
    requested = SubscriptionEvent.objects.get(person=person, changes__pending_mdn__1=NEW)
    assert "Confirming it also subscribes you to Order updates." in requested.wording


def test_without_any_list_to_confirm_through_the_number_is_not_requested(client, world):
    SubscriptionList.objects.update(acquisition_campaign_id="")
    person = services.person_create(source=Source.ADMIN, external_person_id="crm-nonumber")
    url = links.preference_path(person)
    assert "be confirmed online right now" in client.get(url).content.decode()
    response = client.post(f"{url}number/", {"n-mdn": "(415) 555-0132"}, follow=True)
    assert "be confirmed online right now" in response.content.decode()
    person.refresh_from_db()
    assert person.pending_mdn == ""


def test_a_person_only_on_lists_without_a_campaign_is_told_too(client, world):
    person = services.person_create(source=Source.ADMIN, external_person_id="crm-staff")
    services.subscription_activate(
        person=person, subscription_list=world.staff, source=Source.ADMIN
    )
    body = client.get(links.preference_path(person)).content.decode()
    assert "Confirming it also subscribes you to Order updates." in body


def test_a_subscriber_is_not_told_they_join_anything(client, world, url):
    assert "Confirming it also subscribes you" not in client.get(url).content.decode()


def test_the_code_step_speaks_spanish(client, world, url):
    texts.post_number(client, url, "(415) 555-0132", HTTP_ACCEPT_LANGUAGE="es")
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Escribe el código que te enviamos" in body and "Código del mensaje" in body
    wrong = "000000" if texts.last_code() != "000000" else "111111"
    answer = client.post(f"{url}number/code/", {"c-code": wrong}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Puedes intentarlo 4 veces más." in answer.content.decode()


def test_the_console_code_sender_of_make_run_refuses_to_run_outside_debug(world, settings):
    settings.DEBUG = False
    with pytest.raises(RuntimeError, match="only for development"):
        console_sender(person=world.person, mdn=NEW, code="123456")


def test_a_new_number_waits_for_the_confirmation_text(client, world, url):
    response = ask_and_prove(client, url, "(415) 555-0132")
    assert response.redirect_chain[0][1] == 302
    world.person.refresh_from_db()
    assert world.person.mdn == "+12995551234"
    assert world.person.pending_mdn == "+14155550132"
    event = SubscriptionEvent.objects.filter(kind="details_changed").latest("id")
    assert event.changes == {"pending_mdn": ["", "+14155550132"]}
    assert (
        event.source == Source.PREFERENCE_PAGE
        and "each of your lists is asked to move to it" in event.wording
    )
    body = client.get(url).content.decode()
    assert ASKING in body and "+1\u00a0•••\u00a0•••\u00a00132" in body
    assert "New number requested" in body


def test_stop_all_also_withdraws_a_new_number_waiting_for_confirmation(client, world, url):
    ask_and_prove(client, url, "(415) 555-0132")
    client.post(f"{url}stop/", follow=True)
    world.person.refresh_from_db()
    assert (world.person.mdn, world.person.pending_mdn) == ("+12995551234", "")
    body = client.get(url).content.decode()
    assert ASKING not in body
    assert "New number withdrawn" in body


def test_an_invalid_new_number_is_explained(client, url):
    before = snapshot()
    response = client.post(f"{url}number/", {"n-mdn": "555-12"})
    assert response.status_code == 400
    assert "Enter a valid mobile phone number" in response.content.decode()
    assert snapshot() == before
