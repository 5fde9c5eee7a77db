"""``GET /api/v1/consent/``: may this number be texted on this list now?"""

from datetime import UTC, datetime

import pytest

from subscribers import services
from subscribers.models import Source

pytestmark = pytest.mark.django_db

MDN = "+14155550132"


def ask(api, mdn="(415) 555-0132", list_id="1234", **extra):
    return api.get("/api/v1/consent/", {"mdn": mdn, "list": list_id, **extra})


def subscribed(mdn=MDN, *, sub_list, status="active", **values):
    person = services.person_create(source=Source.ADMIN, mdn=mdn, **values)
    services.subscription_set_state(
        person=person,
        subscription_list=sub_list,
        status=status,
        source=Source.VIBES_CALLBACK,
        occurred_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    return person


def test_an_active_subscriber_may_be_texted_with_date_source_and_proof(api, weekly):
    person = subscribed(sub_list=weekly)
    body = ask(api).json()
    proof = body.pop("proof")
    assert body == {
        "mdn": MDN,
        "list": "1234",
        "may_text": True,
        "status": "active",
        "since": "2026-03-01T12:00:00Z",
        "source": "vibes_callback",
        "reason": None,
    }
    assert proof.endswith(f"/admin/subscribers/person/{person.pk}/consent/")


def test_pending_and_opted_out_may_not_be_texted(api, weekly, news):
    subscribed(sub_list=weekly, status="pending")
    services.subscription_cancel(
        person=services.person_find_for_vibes(services.VibesIdentity(mdn=MDN)),
        subscription_list=news,
        source=Source.ADMIN,
        opt_out_reason="user_request",
    )
    pending = ask(api).json()
    assert (pending["may_text"], pending["status"], pending["reason"]) == (
        False,
        "pending",
        "pending_confirmation",
    )
    out = ask(api, list_id="1240").json()
    assert (out["may_text"], out["status"], out["reason"]) == (False, "opted_out", "opted_out")
    assert out["source"] == "admin" and out["since"]


def test_an_unknown_number_is_not_subscribed(api, weekly):
    body = ask(api, mdn="+1 415 555 0199").json()
    assert body["may_text"] is False and body["status"] == "none"
    assert body["reason"] == "not_subscribed" and body["proof"] is None


def test_an_erased_number_says_why_and_nothing_about_the_person(api, weekly):
    person = subscribed(sub_list=weekly, external_person_id="crm-9")
    services.person_erase(person=person)
    body = ask(api).json()
    assert body == {
        "mdn": MDN,
        "list": "1234",
        "may_text": False,
        "status": "none",
        "since": None,
        "source": None,
        "proof": None,
        "reason": "suppressed",
    }


def test_a_dead_number_may_not_be_texted_and_names_no_one(api, weekly):
    person = subscribed(sub_list=weekly)
    services.person_number_dead(
        person=person, reason="disconnect", occurred_at=datetime(2026, 4, 1, tzinfo=UTC)
    )
    body = ask(api).json()
    assert body["may_text"] is False and body["reason"] == "number_no_longer_valid"
    assert body["proof"] is None and body["since"] is None


def test_unknown_list_is_a_400_naming_it(api, weekly):
    response = ask(api, list_id="9999")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_list" and "list" in response.json()["errors"]


def test_unknown_parameter_and_unreadable_number_are_400s_naming_them(api, weekly):
    extra = ask(api, colour="blue")
    assert extra.status_code == 400 and "colour" in extra.json()["errors"]
    bad = ask(api, mdn="not a number")
    assert bad.status_code == 400 and bad.json()["errors"].keys() == {"mdn"}
    missing = api.get("/api/v1/consent/", {"list": "1234"})
    assert missing.status_code == 400 and "mdn" in missing.json()["errors"]
