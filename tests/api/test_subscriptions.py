"""``POST /api/v1/subscriptions/`` and ``POST /api/v1/opt-outs/``: through the services,
with history naming the client; an opt-in waits for the phone, an opt-out is at once."""

import pytest

from subscribers import services
from subscribers.models import (
    Person,
    Push,
    Source,
    Subscription,
    SubscriptionEvent,
    SuppressionHit,
)

pytestmark = pytest.mark.django_db

MDN = "+14155550132"
EVIDENCE = {
    "where": "https://shop.example/checkout",
    "wording": "Text me deals. Msg & data rates may apply. Reply STOP to stop.",
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0 (iPhone)",
    "time": "2026-03-01T12:00:00Z",
}


def join(api, mdn="(415) 555-0132", list_id="1234", **extra):
    body = {"mdn": mdn, "list": list_id, "evidence": EVIDENCE, **extra}
    return api.post("/api/v1/subscriptions/", body, format="json")


def test_an_opt_in_waits_for_the_phone_with_its_evidence_and_the_client_named(api, weekly):
    response = join(api)
    assert response.status_code == 202
    assert response.json() == {"mdn": MDN, "list": "1234", "status": "pending", "created": True}
    sub = Subscription.objects.get(person__mdn=MDN, subscription_list=weekly)
    assert sub.status == Subscription.Status.PENDING  # never straight to active
    assert sub.acquisition_campaign_id == "cmp-weekly"
    row = SubscriptionEvent.objects.get(subscription_list=weekly)
    assert (row.kind, row.source) == ("optin_requested", Source.API)
    assert "API client: checkout" in row.note and "2026-03-01T12:00:00" in row.note
    assert (row.ip_address, row.page, row.wording) == (
        "203.0.113.7",
        EVIDENCE["where"],
        EVIDENCE["wording"],
    )
    assert Push.objects.filter(kind=Push.Kind.SUBSCRIPTION, subscription_list=weekly).exists()


def test_an_opt_in_for_someone_already_on_the_list_changes_nothing(api, weekly):
    assert join(api).status_code == 202
    again = join(api, mdn="+14155550132")
    assert again.status_code == 200 and again.json()["created"] is False
    assert SubscriptionEvent.objects.filter(subscription_list=weekly).count() == 1
    assert Person.objects.count() == 1


def test_an_erased_number_is_refused_and_no_one_is_created_for_it(api, weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.person_erase(person=person)
    response = join(api)
    assert response.status_code == 422 and response.json()["code"] == "number_suppressed"
    assert Person.objects.exclude(pk=person.pk).count() == 0
    assert SuppressionHit.objects.filter(source=Source.API, refused=True).exists()


def test_the_text_limits_of_the_preference_page_apply(api, weekly, news, settings):
    settings.TEXT_LIMIT_PER_NUMBER = 1
    assert join(api).status_code == 202
    limited = join(api, list_id="1240")
    assert limited.status_code == 429 and limited.json()["code"] == "text_limit"
    assert not Subscription.objects.filter(subscription_list=news).exists()


def test_a_number_that_is_not_a_mobile_or_a_list_without_campaign_is_refused(
    api, weekly, unjoinable
):
    assert join(api, mdn="12").json()["errors"].keys() == {"mdn"}
    response = join(api, list_id="1299")
    assert response.status_code == 422 and response.json()["code"] == "list_not_joinable"
    assert Person.objects.count() == 0


def test_unknown_fields_are_400s_naming_them(api, weekly):
    top = join(api, colour="blue")
    assert top.status_code == 400 and list(top.json()["errors"]) == ["colour"]
    inner = join(api, evidence={**EVIDENCE, "shoe_size": 42})
    assert inner.status_code == 400 and list(inner.json()["errors"]) == ["evidence.shoe_size"]
    assert Person.objects.count() == 0


def test_text_postgresql_cannot_store_is_refused_not_a_500(api, weekly):
    body = (
        '{"mdn": "4155550132", "list": "1234", "evidence": {"where": "\\ud800", '
        '"wording": "x", "time": "2026-03-01T12:00:00Z"}}'
    )
    response = api.post("/api/v1/subscriptions/", body, content_type="application/json")
    assert response.status_code == 400 and "evidence.where" in response.json()["errors"]
    nan = api.post("/api/v1/subscriptions/", '{"mdn": NaN}', content_type="application/json")
    assert nan.status_code == 400 and nan.json()["code"] == "parse_error"


def test_consent_from_the_future_is_refused(api, weekly):
    response = join(api, evidence={**EVIDENCE, "time": "2999-01-01T00:00:00Z"})
    assert response.status_code == 400 and "evidence.time" in response.json()["errors"]


def opt_out(api, **body):
    return api.post("/api/v1/opt-outs/", {"mdn": "415-555-0132", **body}, format="json")


def test_an_opt_out_is_applied_at_once_with_the_client_named_and_pushed(api, weekly, news):
    assert join(api).status_code == 202 and join(api, list_id="1240").status_code == 202
    response = opt_out(api, list="1234", reason="complaint")
    assert response.status_code == 200
    assert response.json() == {"mdn": MDN, "lists": [{"list": "1234", "changed": True}]}
    sub = Subscription.objects.get(subscription_list=weekly)
    assert (sub.status, sub.opt_out_reason) == ("opted_out", "complaint")
    row = SubscriptionEvent.objects.filter(kind="opted_out").get()
    assert row.source == Source.API and row.note == "API client: checkout"
    assert Subscription.objects.get(subscription_list=news).status == "pending"
    assert Push.objects.filter(kind=Push.Kind.SUBSCRIPTION, subscription_list=weekly).exists()
    assert opt_out(api, list="1234").json()["lists"] == [{"list": "1234", "changed": False}]


def test_an_opt_out_of_all_lists(api, weekly, news):
    join(api), join(api, list_id="1240")
    response = opt_out(api, all=True)
    assert response.json()["lists"] == [
        {"list": "1234", "changed": True},
        {"list": "1240", "changed": True},
    ]
    assert set(Subscription.objects.values_list("status", flat=True)) == {"opted_out"}


def test_an_opt_out_needs_one_list_or_all(api, weekly):
    assert opt_out(api).status_code == 400
    assert opt_out(api, list="1234", all=True).status_code == 400
    unknown = opt_out(api, list="777")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_list"
    assert opt_out(api, list="1234", reason="because").json()["errors"].keys() == {"reason"}


def test_values_of_the_wrong_json_type_are_refused_not_coerced(api, weekly):
    ua = join(api, evidence={**EVIDENCE, "user_agent": 0})
    assert ua.status_code == 400 and list(ua.json()["errors"]) == ["evidence.user_agent"]
    flag = opt_out(api, list="1234", all=0)
    assert flag.status_code == 400 and list(flag.json()["errors"]) == ["all"]
    assert join(api, mdn=4155550132).json()["errors"].keys() == {"mdn"}


@pytest.mark.parametrize(
    "evidence",
    [
        {**EVIDENCE, "time": "0001-01-01T00:00:00+05:00"},
        {**EVIDENCE, "time": "9999-12-31T23:59:59-05:00"},
        {**EVIDENCE, "ip": "::ffff:203.0.113.7"},
        {**EVIDENCE, "ip": "999.1.1.1"},
        {**EVIDENCE, "where": "x" * 301},
        {**EVIDENCE, "wording": ""},
        "not an object",
        None,
    ],
)
def test_odd_evidence_is_a_clear_answer_never_a_5xx(api, weekly, evidence):
    response = join(api, evidence=evidence)
    assert response.status_code in (202, 400), response.content
    assert response["Content-Type"] in ("application/json", "application/problem+json")
