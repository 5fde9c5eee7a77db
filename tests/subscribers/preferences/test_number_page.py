"""The preference page around a number change: waiting, refused, and what confirming joins."""

import pytest

from subscribers import services
from subscribers.models import Source, SubscriptionEvent, SubscriptionList
from subscribers.outbox.models import Push
from subscribers.preferences import links
from subscribers.services import person_withdraw_number
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = pytest.mark.django_db

NEW = "+14155550132"
SHOWN_NEW = "+1\u00a0•••\u00a0•••\u00a00132"


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def url(world):
    return links.preference_path(world.person)


def test_requesting_a_number_queues_its_push_and_shows_it_waiting(client, world, url):
    response = client.post(f"{url}number/", {"n-mdn": "(415) 555-0132"}, follow=True)
    body = response.content.decode()
    assert "reply Y to confirm your new number" in body and SHOWN_NEW in body
    assert Push.objects.filter(person=world.person, kind=Push.Kind.NUMBER).count() == 1
    assert "4155550132" not in body


def test_a_refused_number_shows_the_reason(client, world, url):
    services.person_request_number(person=world.person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    person_withdraw_number(
        person=world.person, mdn=NEW, reason="confirmation_blocked", source=Source.PUSH
    )
    body = client.get(url).content.decode()
    assert f"We couldn&#x27;t switch your texts to {SHOWN_NEW}." in body
    assert "once replied “No” to our confirmation text" in body
    assert "reply Y to confirm your new number" not in body
    assert "New number not used" in body


def test_a_no_reply_shows_the_reason_and_a_new_request_clears_it(client, world, url):
    services.person_request_number(person=world.person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    person_withdraw_number(
        person=world.person, mdn=NEW, reason="replied_no", source=Source.VIBES_CALLBACK
    )
    assert "The new number replied “No”" in client.get(url).content.decode()
    client.post(f"{url}number/", {"n-mdn": "(415) 555-0199"})
    body = client.get(url).content.decode()
    assert "replied “No”" not in body.split('id="lists-heading"')[0]
    assert "reply Y to confirm your new number" in body


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
    client.post(f"{url}number/", {"n-mdn": "(415) 555-0132"})
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
