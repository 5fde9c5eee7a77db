"""The subscriber pages say who sends the texts, state limits before they bite, and name a
change made elsewhere instead of answering "nothing to change"."""

import re

import pytest
from django.core.management import call_command

from subscribers import services
from subscribers.models import Source, Subscription

pytestmark = pytest.mark.django_db


def test_every_subscriber_page_names_the_company_in_it_and_in_its_title(client, url, settings):
    settings.COMPANY_NAME = "Acme Outfitters"
    for path in (url, f"{url}stop/", "/preferences/new-link/", "/preferences/not-a-token/"):
        body = client.get(path).content.decode()
        assert "Text messages from <strong>Acme Outfitters</strong>" in body, path
        title = body.split("<title>")[1].split("</title>")[0]
        assert title.endswith("· Acme Outfitters"), (path, title)
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Mensajes de texto de <strong>Acme Outfitters</strong>" in spanish


def test_a_text_field_states_its_limit_before_typing_and_refuses_more_without_cutting(
    client, world, url
):
    body = client.get(url).content.decode()
    assert "Up to 200 characters." in body
    first_name = re.search(r'<input[^>]*id="id_d-first_name"[^>]*>', body)[0]
    assert 'maxlength="200"' in first_name and "aria-describedby" in first_name
    response = client.post(f"{url}details/", {"d-first_name": "A" * 300})
    assert response.status_code == 400
    assert "at most 200 characters (it has 300)" in response.content.decode()
    world.person.refresh_from_db()
    assert world.person.custom_fields["first_name"] == "Ana"  # not cut: refused, and said


def test_an_older_page_saved_on_a_second_device_names_what_changed_meanwhile(client, world, url):
    # Both devices show "Store events" unchecked; the phone joins it.
    services.subscription_request(
        person=world.person, subscription_list=world.events, source=Source.PREFERENCE_PAGE
    )
    # The laptop saves its older page as it was.
    answer = client.post(
        f"{url}lists/",
        {"shown": [f"{world.events.pk}:0", f"{world.weekly.pk}:1"], "list": [world.weekly.pk]},
        follow=True,
    )
    body = answer.content.decode()
    assert "Your lists were changed elsewhere (on another device or by a text)" in body
    assert "ago: Store events. Here they are now." in body
    assert "Nothing to change" not in body
    assert (
        Subscription.objects.get(person=world.person, subscription_list=world.events).status
        == Subscription.Status.PENDING
    )  # the newer choice stands


def test_an_unset_company_name_is_a_system_check_warning(settings, capsys):
    settings.COMPANY_NAME = ""
    settings.SUPPRESSION_KEY = "speak-up-" + "k" * 40  # the one error a test run would have
    call_command("check")
    assert "subscribers.W007" in capsys.readouterr().err
