"""A printable proof of consent with the evidence in words, and a CSV export that follows
the changelist's filters and carries the custom fields."""

import csv
import io

import pytest

from subscribers import services
from subscribers.models import CustomField, Person, Source
from subscribers.preferences.evidence import Evidence
from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document

from .admin_helpers import PASSWORD, log_in_as_superuser, person_with_story

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/person/"


@pytest.fixture
def ana(lists):
    CustomField.objects.create(key="first_name", label="First name", position=0)
    CustomField.objects.create(
        key="favorite_store",
        label="Favourite store",
        field_type="single_select",
        options=[{"key": "downtown", "label": "Downtown"}],
        position=1,
    )
    CustomField.objects.create(
        key="interests",
        label="Interests",
        field_type="multi_select",
        options=[{"key": "shoes", "label": "Shoes"}, {"key": "coats", "label": "Coats"}],
        position=2,
    )
    person = person_with_story(lists, n=1, first="Ana", last="Garcia")
    Person.objects.filter(pk=person.pk).update_unpushed(
        custom_fields={
            "first_name": "Ana",
            "last_name": "Garcia",
            "favorite_store": {"option_key": "downtown", "name": "Downtown"},
            "interests": ["shoes", "coats"],
        }
    )
    services.subscription_request(
        person=person,
        subscription_list=lists[2],
        source=Source.PREFERENCE_PAGE,
        evidence=Evidence(
            ip_address="203.0.113.9",
            user_agent="Mozilla/5.0 (iPhone)",
            page="/preferences/<token>/lists/",
            wording="Order updates (We'll text you to confirm this list.)",
        ),
    )
    return person


def export(client, persons, query=""):
    data = {"action": "export_csv", "_selected_action": [p.pk for p in persons], "index": 0}
    response = client.post(f"{CHANGELIST}{query}", data)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_of_a_filtered_list_holds_only_that_lists_subscriptions(
    marketing_client, lists, ana
):
    everything = export(marketing_client, [ana])
    assert {r["list_id"] for r in everything} == {"1234", "1235", "1236"}
    weekly = export(marketing_client, [ana], f"?list={lists[0].pk}")
    assert [(r["list_id"], r["status"]) for r in weekly] == [("1234", "opted_out")]
    active = export(marketing_client, [ana], "?status=active")
    assert [r["list_id"] for r in active] == ["1235"]


def test_the_export_carries_every_custom_field_in_its_own_column(marketing_client, ana):
    (row, *_rest) = export(marketing_client, [ana])
    assert row["first_name"] == "Ana" and row["last_name"] == "Garcia"
    assert row["favorite_store"] == "downtown"
    assert row["interests"] == "shoes;coats"


def test_the_printable_proof_says_each_step_and_its_evidence_in_words(marketing_client, ana):
    response = marketing_client.get(f"{CHANGELIST}{ana.pk}/consent/?print=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Proof of consent" in html and "+14155550001" in html
    assert "Opt-in requested: Order updates (Vibes list 1236)</strong>, Preference page" in html
    assert (
        "Sent from address 203.0.113.9 with the browser “Mozilla/5.0 (iPhone)”, on page "
        "/preferences/&lt;token&gt;/lists/." in html
    )
    assert "The person was shown: “Order updates (We&#x27;ll text you to confirm" in html
    assert "subscribers/proof.css" in html and "<style" not in html
    change = marketing_client.get(f"{CHANGELIST}{ana.pk}/change/").content.decode()
    assert f"{CHANGELIST}{ana.pk}/consent/?print=1" in change
    # The JSON download stays where it was.
    json_response = marketing_client.get(f"{CHANGELIST}{ana.pk}/consent/")
    assert json_response["Content-Type"] == "application/json"


def test_staff_who_may_not_export_get_no_proof_page(client, django_user_model, ana):
    viewer = django_user_model.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    client.force_login(viewer)
    assert client.get(f"{CHANGELIST}{ana.pk}/consent/?print=1").status_code in (403, 404)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_proof_prints_on_one_or_two_sheets(live_server, browser, lists, ana, width):
    with open_page(browser, PHONE if width == "phone" else DESKTOP) as page:
        log_in_as_superuser(page, live_server.url)
        page.goto(f"{live_server.url}{CHANGELIST}{ana.pk}/consent/?print=1")
        assert page.get_by_role("heading", level=1).inner_text() == "Proof of consent"
        document(page, f"admin-proof-of-consent-{width}")
        axe_check({"proof": axe_findings(page)})
        if width == "desktop":
            pdf = page.pdf(format="A4")
            sheets = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            assert 1 <= sheets <= 2, sheets
