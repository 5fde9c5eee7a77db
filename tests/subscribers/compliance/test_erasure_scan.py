# ruff: noqa: F811  (fixtures imported from push_fixtures and test_erasure)
"""After an erasure no table holds the number in any form, nor the person's own words.

Ana's number reaches the database the ways Vibes sends it: in national form, stored once
applied and once as a duplicate; in a body that is not JSON (rejected); in a text with
its fields at the top level; as a number that died on her; in a text waiting for review;
in the record of the push that retired her old number. Her words are kept as evidence of
her revocation by text, and quoted where she refused a new number by text. Staff erase
her in the admin, the erasure push runs, and then every text and JSON column of every
table of every app is read for the numbers (E.164, national, digits only, formatted) and
her words.
"""

import json
import re

import pytest
from django.apps import apps
from django.db import models, transaction

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import DeadNumber, Push, RevocationReview, Source
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

from .test_erasure import MDN, TOKEN, ana, send_all, weekly  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

OLD = "+14155550198"  # the number Ana had before
NEW = "+14155550197"  # a number she asked for, then refused by text
WORDS = "Ana Lima here, please stop texting me"
NATIONAL = "(415) 555-0133"


def forms_of(mdn: str) -> list[str]:
    digits = mdn.lstrip("+")
    national = digits[1:]
    return [mdn, digits, national, f"({national[:3]}) {national[3:6]}-{national[6:]}"]


def separated(mdn: str) -> re.Pattern:
    """The national digits with any separators between them (dots, spaces, dashes)."""
    return re.compile("[^0-9]{0,3}".join(mdn.lstrip("+")[1:]))


def text_columns():
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if names:
            yield model, names


def leftovers(needles: list[str], patterns: list[re.Pattern]) -> list[str]:
    found = []
    for model, names in text_columns():
        for row in model._base_manager.values_list("pk", *names):
            pk, values = row[0], row[1:]
            for name, value in zip(names, values, strict=True):
                if value in (None, "", {}, []):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                hit = [n for n in needles if n in text] + [
                    p.pattern for p in patterns if p.search(text)
                ]
                if hit:
                    found.append(f"{model._meta.label}#{pk}.{name}: {hit} in {text[:120]!r}")
    return found


def post(client, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    with transaction.atomic():
        return client.post(f"/callbacks/vibes/{TOKEN}/", raw, content_type="application/json")


def test_after_an_erasure_no_table_holds_the_number_in_any_form_nor_her_words(
    ana, published, client, admin_client, settings
):
    person, vibes_person = ana
    settings.CALLBACK_TOKENS = [TOKEN]
    settings.CALLBACK_ALLOWED_IPS = []
    national_update = {
        "event_id": "P-national",
        "callback_type": "person_updated",
        "event_date": "2026-12-01T10:00:00Z",
        "person": {
            "person_id": vibes_person.person_id,
            "person_key": vibes_person.person_key,
            "mobile_phone": {"mdn": NATIONAL, "carrier_code": "104"},
            "updated_at": "2026-12-01T10:00:00Z",
        },
    }
    assert post(client, national_update).status_code == 200
    assert post(client, national_update).json()["status"] == "duplicate"
    not_json = '{"event_id": "P-broken", "person": {"mobile_phone": {"mdn": "415.555.0133"}'
    assert post(client, not_json).status_code == 400
    top_level_text = {
        "event_id": "MSG-top",
        "callback_type": "unmatched_message_received",
        "event_date": "2026-12-01T11:00:00Z",
        "mdn": "4155550133",
        "message_text": WORDS,
        "received_date": "2026-12-01T11:00:00Z",
    }
    assert post(client, top_level_text).status_code == 200
    events_apply_received()
    services.person_request_number(person=person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    services.person_withdraw_number(
        person=person,
        mdn=NEW,
        reason="replied_no",
        source=Source.TEXT_MESSAGE,
        detail=f"texted “{WORDS}”",
    )
    services.person_revoke_by_text(person=person, text=WORDS)
    services.person_number_dead(person=person, reason="disconnect", occurred_at=person.created_at)
    services.revocation_review_open(
        text=WORDS,
        sent_at=person.created_at,
        reason=RevocationReview.Reason.UNKNOWN_NUMBER,
        mdn=MDN,
    )
    Push.objects.create(
        person=person,
        kind=Push.Kind.OLD_NUMBER,
        state=Push.State.DONE,
        vibes_person={"mdn": OLD, "person_key": "pk-old-record"},
    )
    needles = forms_of(MDN) + forms_of(OLD) + forms_of(NEW) + [WORDS, "Ana Lima"]
    patterns = [separated(MDN), separated(OLD), separated(NEW)]
    before = leftovers(needles, patterns)
    for where in ("callbacks.CallbackEvent", "subscribers.DeadNumber", "subscribers.Push"):
        assert any(line.startswith(where) for line in before), (where, before)
    assert CallbackEvent.objects.filter(status="duplicate", mdn=NATIONAL).exists()
    assert DeadNumber.objects.filter(person=person).exists()

    answer = admin_client.post(
        f"/admin/subscribers/person/{person.pk}/erase/",
        {"apply": "1", "note": "asked by email", "confirm": "ERASE"},
    )
    assert answer.status_code == 302
    send_all(published)

    assert leftovers(needles, patterns) == []
