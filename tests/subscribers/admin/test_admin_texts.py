# ruff: noqa: F811  (fixtures imported from admin_helpers)
"""Staff see why a text of our own could not be sent: on the push that sent it, and in the
list of texts; never the code."""

import pytest

from subscribers import services
from subscribers.models import Source, Text
from subscribers.outbox.texts import text_settled, unseal
from tests.subscribers.admin.admin_helpers import (  # noqa: F401 - fixtures
    marketing_client,
    marketing_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_code(settings, django_capture_on_commit_callbacks):
    settings.NUMBER_CODE_SENDER = "subscribers.outbox.texts.number_code_sender"
    person = services.person_create(source=Source.ADMIN, mdn="+14155550101")
    with django_capture_on_commit_callbacks(execute=True):
        services.person_ask_number(person=person, mdn="+14155550132", source=Source.ADMIN)
    text = Text.objects.get(person=person)
    code = unseal(text.sealed, text.event_id)
    text_settled(text, sent=False, reason="Vibes, routing: carrier_not_supported")
    return text, code


def test_the_push_page_says_why_the_text_was_not_sent(marketing_client, failed_code):
    text, code = failed_code
    page = marketing_client.get(f"/admin/subscribers/push/{text.push_id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vibes, routing: carrier_not_supported" in html and "Could not be sent" in html
    assert f">{code}<" not in html and f'"{code}"' not in html


def test_the_list_of_texts_shows_each_outcome(admin_client, failed_code):
    text, code = failed_code
    listing = admin_client.get("/admin/subscribers/text/?state=failed").content.decode()
    assert "carrier_not_supported" in listing
    detail = admin_client.get(f"/admin/subscribers/text/{text.pk}/change/").content.decode()
    assert text.event_id in detail and f">{code}<" not in detail
