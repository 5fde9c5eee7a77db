"""Staff start a number change, the phone finishes it: the admin never writes a number.

A number written without the phone's proof would put our external id on whoever holds that
number at Vibes, and the person's "stop all" would then unsubscribe that number's owner.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase

from subscribers import services
from subscribers.models import NumberProof, Person, Source, SubscriptionEvent
from subscribers.outbox.models import Push
from subscribers.preferences import links
from tests import texts
from tests.browser import axe_check, axe_findings, screenshot

from .admin_helpers import browser_login, change_url, edit

pytestmark = pytest.mark.django_db
NEW = "+14155550199"


@pytest.fixture
def numberless(lists):
    """Known only by our external id (say, created from the CRM before any text)."""
    person = services.person_create(source=Source.IMPORT, external_person_id="crm-0042")
    services.subscription_activate(
        person=person, subscription_list=lists[2], source=Source.VIBES_CALLBACK
    )
    return person


def number_url(person) -> str:
    return f"/admin/subscribers/person/{person.pk}/number/"


def test_staff_cannot_type_a_number_onto_a_person_who_has_none(marketing_client, numberless):
    page = marketing_client.get(change_url(numberless)).text
    assert 'name="mdn"' not in page  # read-only: no input to type it in
    before = SubscriptionEvent.objects.filter(person=numberless).count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = edit(marketing_client, numberless, mdn="(415) 555-0199")
    assert response.redirect_chain, response.content[:2000]
    numberless.refresh_from_db()
    assert (numberless.mdn, numberless.pending_mdn) == ("", "")
    assert SubscriptionEvent.objects.filter(person=numberless).count() == before
    assert not Push.objects.filter(person=numberless).exists()  # nothing about it to Vibes
    assert texts.CODES == []


def test_staff_start_a_number_change_and_the_person_finishes_it_with_the_code(
    client, marketing_client, marketing_user, numberless
):
    page = marketing_client.get(change_url(numberless)).text
    assert f'href="{number_url(numberless)}"' in page and "Start a number change" in page
    form = marketing_client.get(number_url(numberless))
    assert form.status_code == 200 and 'name="mdn"' in form.text
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = marketing_client.post(
            number_url(numberless), {"mdn": "(415) 555-0199"}, follow=True
        )
    assert response.redirect_chain[-1][0] == change_url(numberless)
    assert "We texted a one-time code to +1 ••• ••• 0199" in response.text
    [(person_id, mdn, code)] = texts.CODES
    assert (person_id, mdn) == (numberless.pk, NEW)  # through NUMBER_CODE_SENDER
    numberless.refresh_from_db()
    # Started, not done: nothing is written and nothing reaches Vibes before the code.
    assert (numberless.mdn, numberless.pending_mdn) == ("", "")
    assert not Push.objects.filter(person=numberless).exists()
    assert NumberProof.objects.get(person=numberless).mdn == NEW

    # The person types the code on their own page: then it waits for Vibes' confirmation.
    url = links.preference_path(numberless)
    assert "Enter the code we texted" in client.get(url).text
    client.post(f"{url}number/code/", {"c-code": code})
    numberless.refresh_from_db()
    assert (numberless.mdn, numberless.pending_mdn) == ("", NEW)
    assert Push.objects.filter(person=numberless, kind=Push.Kind.NUMBER).exists()
    requested = SubscriptionEvent.objects.filter(
        person=numberless, changes__has_key="pending_mdn"
    ).get()
    assert requested.source == Source.PREFERENCE_PAGE and "proved by the code" in requested.note


def test_a_number_change_started_by_staff_is_checked_like_any_typed_number(
    marketing_client, numberless
):
    response = marketing_client.post(number_url(numberless), {"mdn": "12"})
    assert response.status_code == 200 and "Enter a valid mobile phone number" in response.text
    assert texts.CODES == [] and not NumberProof.objects.exists()


def test_staff_who_may_only_view_cannot_start_a_number_change(client, numberless):
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(viewer)
    assert "Start a number change" not in client.get(change_url(numberless)).text
    assert client.post(number_url(numberless), {"mdn": NEW}).status_code == 403
    assert texts.CODES == []


def test_a_person_added_by_staff_gets_no_number_until_the_phone_proves_it(admin_client):
    assert 'name="mdn"' not in admin_client.get("/admin/subscribers/person/add/").text
    response = admin_client.post(
        "/admin/subscribers/person/add/",
        {
            "mdn": "(415) 555-0177",
            "external_person_id": "crm-0077",
            "carrier_code": "",
            "timezone": "",
            "subscriptions-TOTAL_FORMS": "0",
            "subscriptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    person = Person.objects.get()
    assert (person.external_person_id, person.mdn) == ("crm-0077", "")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_staff_start_the_change_and_the_number_stays_until_the_code(
    live_server, desktop_page, marketing_user, numberless
):
    page = desktop_page
    browser_login(page, live_server, marketing_user)
    page.goto(f"{live_server.url}{change_url(numberless)}")
    assert page.locator("input[name=mdn]").count() == 0
    page.get_by_role("link", name="Start a number change…").click()
    page.get_by_label("New mobile number").fill("(415) 555-0199")
    screenshot(page, "admin-person-number-change")
    axe_check({"start a number change": axe_findings(page)})
    page.get_by_role("button", name="Text the code").click()
    page.wait_for_url(f"{live_server.url}{change_url(numberless)}")
    assert (
        "We texted a one-time code to +1 ••• ••• 0199" in page.locator(".messagelist").inner_text()
    )
    numberless.refresh_from_db()
    assert (numberless.mdn, numberless.pending_mdn) == ("", "")
    assert [(pk, mdn) for pk, mdn, _code in texts.CODES] == [(numberless.pk, NEW)]
