"""A code for a new number, end to end through Vibes' Event API: the page, the outbox, a
real worker posting the event, the simulator texting the phone and answering with
``event_processed`` to a live server, and the worker applying it."""

import re

import pytest
from django.test import Client

from subscribers import services
from subscribers.models import Person, Source, Text
from subscribers.preferences import links
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

OLD, NEW, OTHER = "+14155550101", "+14155550132", "+14155550133"
TOKEN = "tok-" + "t" * 40
TYPES = {
    "VIBES_EVENT_TYPE_NUMBER_CODE": "prefs_number_code",
    "VIBES_EVENT_TYPE_PREFERENCE_LINK": "prefs_preference_link",
}


def test_the_code_reaches_the_phone_through_the_event_api_and_a_failure_reaches_the_page(
    celery_worker_process, vibes_simulator, live_server, settings
):
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    for name, value in TYPES.items():
        setattr(settings, name, value)
    settings.NUMBER_CODE_SENDER = "subscribers.outbox.texts.number_code_sender"
    services.subscription_list_upsert(
        list_id="1234", name="Weekly deals", acquisition_campaign_id="2342312", is_public=True
    )
    person = services.person_create(source=Source.ADMIN, mdn=OLD)
    vibes_simulator.state.callback_register(
        {
            "callback_type": "event_processed",
            "event_processed": {"callbacks_to_send": "all"},
            "destination": {"url": f"{live_server.url}/callbacks/vibes/{TOKEN}/"},
        }
    )
    celery_worker_process.env.update(
        subprocess_env(**vibes_simulator.env(), **TYPES, PUSH_DEBOUNCE_SECONDS="0.1")
    )
    celery_worker_process.start()
    client, page = Client(), links.preference_path(person)

    client.post(f"{page}number/", {"n-mdn": "(415) 555-0132"})
    texted = wait_for(lambda: vibes_simulator.inbox(NEW), 30, "the code in the phone's inbox")
    code = re.search(r"\d{6}", texted[0]["text"]).group()
    sent = wait_for(
        lambda: Text.objects.filter(person=person, state=Text.State.SENT).first(),
        30,
        "event_processed (routing success) to be applied",
    )
    assert sent.sealed == ""
    answer = client.post(f"{page}number/code/", {"c-code": code}, follow=True)
    assert "asking each of your lists" in answer.content.decode()
    assert Person.objects.get(pk=person.pk).pending_mdn == NEW

    # Vibes has no campaign for the event type any more: a routing failure, on the page.
    vibes_simulator.state.event_types_set({})
    client.post(f"{page}number/", {"n-mdn": "(415) 555-0133"})
    wait_for(
        lambda: Text.objects.filter(person=person, state=Text.State.FAILED).first(),
        30,
        "event_processed (no_route_rules) to be applied",
    )
    assert vibes_simulator.inbox(OTHER) == []
    shown = client.get(page).content.decode()
    assert "text a code to +1" in shown and 'id="number-code"' not in shown
