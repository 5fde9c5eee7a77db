"""No admin page answers 500 whatever a stored value holds: the odd bodies of Vibes' own
examples (docs/vibes.md, "Quirks"), names cut in the middle of an emoji (half a
surrogate pair) in callback bodies and in JSON columns, and every admin changelist and
change page (and the callback's) read by a superuser (config/middleware.py)."""

import json

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from callbacks.models import CallbackEvent
from subscribers.models import Person
from tests.callbacks.conftest import TOKEN, URL, person_event, subscription_event

from .admin_helpers import person_with_story

pytestmark = pytest.mark.django_db

CUT_EMOJI = "Ana \\ud83d"  # as JSON writes it: the first half of 😀 and nothing after
ODD_BODIES = [
    # Vibes' own seed example, not JSON at all.
    '{ "callback:id","DEF123", "event_id": "AB234SDFD234" }',
    # A missing quote, a trailing comma, a //deprecated comment.
    '{"event_id": "E1, "callback_type": "subscription_added"}',
    '{"event_id": "E2", "callback_type": "subscription_added",}',
    '{"event_id": "E3", //deprecated\n "callback_type": "person_updated"}',
    json.dumps(subscription_event("subscription_removed", event_id="CUT-1")).replace(
        '"user_opt_out"', f'"user_opt_out", "note": "{CUT_EMOJI}"'
    ),
    json.dumps(person_event(event_id="CUT-2")).replace('"timezone"', '"x\\udc00": 1, "timezone"'),
    '{"event_id": "\\ud83d", "callback_type": "\\udc00"}',
    "\\ud83d not even JSON \udcff",
]


@pytest.fixture
def stored(lists, settings, monkeypatch):
    settings.CALLBACK_TOKENS, settings.CALLBACK_ALLOWED_IPS = [TOKEN], []
    monkeypatch.setattr("callbacks.views.kick", lambda: None)  # no worker run here
    person = person_with_story(lists, n=1)
    client = Client()
    for body in ODD_BODIES:
        client.post(URL, body.encode("utf-8", "surrogatepass"), content_type="application/json")
    if connection.vendor == "sqlite":
        # Rows written before the endpoint cleaned them (PostgreSQL's jsonb refuses them).
        cut = json.loads(f'"{CUT_EMOJI}"')
        Person.objects.filter(pk=person.pk).update_unpushed(custom_fields={"first_name": cut})
        CallbackEvent.objects.filter(event_id="CUT-1").update(payload={"name": cut, cut: 1})
    return person


def admin_pages() -> list[str]:
    pages = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)[:20]:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            pages.append(reverse("admin:{}_{}_history".format(*info), args=[pk]))
            for pattern in model_admin.get_urls():
                kwargs = {key: pk for key in pattern.pattern.converters}
                if pattern.name and kwargs and not pattern.name.endswith(("_change", "_delete")):
                    try:
                        pages.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
                    except NoReverseMatch:
                        continue
    return pages


def test_no_admin_page_answers_500_to_any_stored_value(admin_client, stored):
    assert CallbackEvent.objects.filter(body__contains="\\ud83d").exists()
    answers = {page: admin_client.get(page).status_code for page in admin_pages()}
    assert len(answers) > 30
    assert [page for page, status in answers.items() if status >= 500] == []
    callback = CallbackEvent.objects.get(event_id="CUT-1")
    page = admin_client.get(f"/admin/callbacks/callbackevent/{callback.pk}/change/")
    assert "Ana \ufffd" in page.content.decode()
