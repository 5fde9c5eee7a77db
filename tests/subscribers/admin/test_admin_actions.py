"""Staff actions on persons: opt out, preference links, CSV export, proof of consent."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from subscribers import services
from subscribers.admin import person_actions
from subscribers.admin.exports import csv_safe
from subscribers.models import Source, Subscription, SubscriptionEvent
from subscribers.preferences.links import read_token

from .admin_helpers import person_with_story

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/person/"


@pytest.fixture
def ana(lists):
    return person_with_story(lists, n=1, first="Ana", last="Garcia")


@pytest.fixture
def ben(lists):
    person = person_with_story(lists, n=2, first='=HYPERLINK("http://evil")', last="-2+3")
    services.subscription_activate(person=person, subscription_list=lists[0], source=Source.ADMIN)
    return person


def action(client, name, persons, **extra):
    data = {"action": name, "_selected_action": [p.pk for p in persons], "index": 0}
    data.update(extra)
    return client.post(CHANGELIST, data)


def status(person, sub_list) -> str:
    return Subscription.objects.get(person=person, subscription_list=sub_list).status


def test_opt_out_action_asks_for_the_list_and_reason_before_changing_anything(
    marketing_client, lists, ana, ben
):
    response = action(marketing_client, "opt_out", [ana, ben])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/subscribers/person/opt_out.html"
    html = response.content.decode()
    assert "Weekly deals" in html and "Store events" in html and "All lists" in html
    assert status(ben, lists[0]) == "active"


def test_opt_out_of_one_list_records_reason_note_and_staff_user(
    marketing_client, marketing_user, lists, ana, ben
):
    weekly = lists[0]
    response = action(
        marketing_client,
        "opt_out",
        [ana, ben],
        apply="1",
        subscription_list=str(weekly.pk),
        reason="user_request",
        note="Called the store on Tuesday",
    )
    assert response.status_code == 302
    assert status(ben, weekly) == "opted_out"
    assert status(ben, lists[1]) == "active"  # other lists untouched
    event = SubscriptionEvent.objects.filter(person=ben, subscription_list=weekly).latest("id")
    assert event.kind == "opted_out" and event.source == Source.ADMIN
    assert event.staff_user == marketing_user
    assert event.opt_out_reason == "user_request"
    assert event.note == "Called the store on Tuesday"
    assert event.ip_address == "127.0.0.1"
    # Ana had already opted out of that list: nothing new for her.
    assert not SubscriptionEvent.objects.filter(person=ana, source=Source.ADMIN).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["1 subscription opted out. 1 person had nothing to opt out of."]


def test_opt_out_of_all_lists_stops_every_active_subscription(marketing_client, lists, ben):
    action(
        marketing_client,
        "opt_out",
        [ben],
        apply="1",
        subscription_list="all",
        reason="legal_request",
    )
    assert set(Subscription.objects.filter(person=ben).values_list("status", flat=True)) == {
        "opted_out"
    }


def test_other_reason_needs_a_note(marketing_client, lists, ben):
    response = action(
        marketing_client,
        "opt_out",
        [ben],
        apply="1",
        subscription_list="all",
        reason="other",
        note="  ",
    )
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert status(ben, lists[0]) == "active"


def test_opt_out_from_the_change_page_returns_to_the_person(marketing_client, lists, ben):
    url = f"/admin/subscribers/person/{ben.pk}/opt-out/"
    page = marketing_client.get(url)
    assert page.status_code == 200 and "Store events" in page.content.decode()
    response = marketing_client.post(
        url, {"apply": "1", "subscription_list": str(lists[1].pk), "reason": "complaint"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/subscribers/person/{ben.pk}/change/"
    assert status(ben, lists[1]) == "opted_out"


def test_preference_links_open_the_persons_own_page(marketing_client, ana, ben):
    response = action(marketing_client, "show_preference_links", [ana, ben])
    assert response.status_code == 200
    links = response.context["links"]
    assert {person.pk for person, _ in links} == {ana.pk, ben.pk}
    for person, url in links:
        assert url.startswith("http://testserver/preferences/")
        assert read_token(url.rstrip("/").rsplit("/", 1)[1]) == person
    assert "copy-link" in response.content.decode()
    single = marketing_client.get(f"/admin/subscribers/person/{ana.pk}/preference-link/")
    assert [p.pk for p, _ in single.context["links"]] == [ana.pk]


def test_csv_export_lists_every_subscription_with_dates_and_reasons(
    marketing_client, lists, ana, ben
):
    response = action(marketing_client, "export_csv", [ana, ben])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_key = {(r["person_key"], r["list_id"]): r for r in rows}
    assert set(by_key) == {
        ("pk-0001", "1234"),
        ("pk-0001", "1235"),
        ("pk-0002", "1234"),
        ("pk-0002", "1235"),
    }
    ana_weekly = by_key[("pk-0001", "1234")]
    assert ana_weekly["status"] == "opted_out"
    assert ana_weekly["opt_out_reason"] == "keyword_opt_out"
    assert ana_weekly["opt_in_date"].startswith("2026-09-01T15:45:23")
    assert ana_weekly["opt_out_date"].startswith("2026-09-03T15:42:23")
    assert ana_weekly["mdn"] == "+14155550001"  # a plain number is left alone
    assert ana_weekly["first_name"] == "Ana"
    # Cells a spreadsheet would run as formulas are defused.
    ben_row = by_key[("pk-0002", "1234")]
    assert ben_row["first_name"] == '\'=HYPERLINK("http://evil")'
    assert ben_row["last_name"] == "'-2+3"


def test_csv_export_of_a_person_on_no_list_still_has_a_row(marketing_client, db):
    lonely = services.person_create(source=Source.ADMIN, mdn="+14155550177")
    response = action(marketing_client, "export_csv", [lonely])
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2 and rows[1][3] == "+14155550177" and rows[1][6] == ""


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("+14155550132", "+14155550132"),
        ("Ana", "Ana"),
        (None, ""),
    ],
)
def test_csv_cells_cannot_start_a_formula(value, cell):
    assert csv_safe(value) == cell


def test_proof_of_consent_has_every_history_row_the_callbacks_and_their_bodies(
    marketing_client, ana
):
    response = marketing_client.get(f"/admin/subscribers/person/{ana.pk}/consent/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="consent-pk-0001.json"' in response["Content-Disposition"]
    proof = json.loads(response.content)
    assert proof["person"]["person_key"] == "pk-0001"
    assert proof["person"]["vibes_person_id"] == "9001"
    assert proof["person"]["mdn"] == "+14155550001"
    history = proof["history"]
    assert len(history) == SubscriptionEvent.objects.filter(person=ana).count()
    requested = next(h for h in history if h["kind"] == "optin_requested")
    assert requested["evidence"]["ip_address"] == "203.0.113.9"
    assert requested["evidence"]["wording"].startswith("Yes, text me weekly deals")
    assert requested["source"] == "preference_page"
    callback_ids = {h["callback_id"] for h in history if h["callback_id"]}
    assert {c["id"] for c in proof["callbacks"]} == callback_ids and len(callback_ids) == 2
    removed = next(c for c in proof["callbacks"] if c["callback_type"] == "subscription_removed")
    body = json.loads(removed["body"])
    assert body["subscription"]["opt_out_reason"] == "keyword_opt_out"
    assert removed["remote_addr"] == "35.155.139.143"
    assert {s["list_id"]: s["status"] for s in proof["subscriptions"]} == {
        "1234": "opted_out",
        "1235": "active",
    }


def test_proof_of_consent_action_wants_exactly_one_person(marketing_client, ana, ben):
    response = action(marketing_client, "export_proof_of_consent", [ana, ben])
    assert response.status_code == 302
    response = action(marketing_client, "export_proof_of_consent", [ana])
    assert json.loads(response.content)["person"]["person_key"] == "pk-0001"


def test_staff_without_the_custom_permissions_cannot_opt_out_or_export(client, lists, ben):
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_person", "change_person"])
    )
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    choices = [name for name, _ in page.context["action_form"].fields["action"].choices]
    assert "opt_out" not in choices and "export_csv" not in choices
    assert "show_preference_links" in choices
    refused = action(client, "opt_out", [ben], apply="1", subscription_list="all", reason="other")
    assert refused.status_code in (200, 302) and status(ben, lists[0]) == "active"
    assert client.get(f"/admin/subscribers/person/{ben.pk}/opt-out/").status_code == 403
    assert client.get(f"/admin/subscribers/person/{ben.pk}/consent/").status_code == 403
    export = action(client, "export_csv", [ben])
    assert not export.get("Content-Type", "").startswith("text/csv")


def test_opting_out_too_many_persons_at_once_is_refused(
    marketing_client, lists, ana, ben, monkeypatch
):
    monkeypatch.setattr(person_actions, "MAX_OPT_OUT", 1)
    response = action(
        marketing_client, "opt_out", [ana, ben], apply="1", subscription_list="all", reason="other"
    )
    assert response.status_code == 302
    assert "at most 1 persons" in str(list(response.wsgi_request._messages)[0])
    assert status(ben, lists[0]) == "active"
