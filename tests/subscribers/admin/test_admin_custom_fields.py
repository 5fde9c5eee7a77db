"""Custom fields on the admin's person page: one typed input per definition, checked like
the preference page's; keys no definition names shown read-only and kept on save."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from subscribers import services
from subscribers.models import CustomField, Person, Source, SubscriptionEvent
from subscribers.outbox.models import Push
from tests.browser import axe_check, axe_findings, screenshot

from .admin_helpers import PASSWORD, browser_login, change_url, edit


@pytest.fixture
def definitions(db):
    CustomField.objects.create(key="first_name", label="First name", position=1)
    CustomField.objects.create(key="birthday", label="Birthday", field_type="date", position=2)
    CustomField.objects.create(
        key="favorite_store",
        label="Favourite store",
        field_type="single_select",
        position=3,
        options=[
            {"key": "downtown", "label": "Downtown"},
            {"key": "riverside", "label": "Riverside"},
            {"key": "airport", "label": "Airport"},
        ],
    )
    CustomField.objects.create(
        key="interests",
        label="Interests",
        field_type="multi_select",
        position=4,
        options=[{"key": "shoes", "label": "Shoes"}, {"key": "coats", "label": "Coats"}],
    )


@pytest.fixture
def bea(definitions):
    """A person as Vibes sent her: a single select as Vibes' object, and two keys no
    definition here names."""
    person, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(person_key="pk-bea", mdn="+14155550161"),
        source=Source.VIBES_CALLBACK,
        custom_fields={
            "first_name": "Bea",
            "birthday": "1990-12-31",
            "favorite_store": {"id": 7, "name": "Riverside", "option_key": "riverside"},
            "interests": [{"id": 1, "name": "Shoes", "option_key": "shoes"}],
            "loyalty_tier": "gold",
            "visits": 12,
        },
    )
    return person


def test_the_change_page_shows_each_custom_field_as_an_input_of_its_type(marketing_client, bea):
    page = marketing_client.get(change_url(bea)).text
    assert '<input type="text" name="cf_first_name" value="Bea"' in page
    assert '<input type="date" name="cf_birthday" value="1990-12-31"' in page
    assert '<select name="cf_favorite_store"' in page
    assert '<option value="riverside" selected>Riverside</option>' in page
    assert 'type="checkbox" name="cf_interests" value="shoes"' in page
    assert 'name="custom_fields"' not in page  # no raw JSON to type by hand
    # What no definition names is shown as sent, not as an input.
    assert "<dt><code>loyalty_tier</code></dt><dd>gold</dd>" in page
    assert "<dt><code>visits</code></dt><dd>12</dd>" in page
    assert 'name="cf_loyalty_tier"' not in page


def test_staff_edits_are_stored_by_type_and_keys_from_vibes_stay(
    marketing_client, marketing_user, bea
):
    response = edit(
        marketing_client,
        bea,
        cf_birthday="1991-01-02",
        cf_favorite_store="airport",
        cf_interests=["shoes", "coats"],
        cf_first_name="",
    )
    assert response.redirect_chain, response.content[:3000]
    bea.refresh_from_db()
    assert bea.custom_fields == {
        "birthday": "1991-01-02",
        "favorite_store": "airport",
        "interests": ["shoes", "coats"],
        "loyalty_tier": "gold",
        "visits": 12,
    }
    event = SubscriptionEvent.objects.filter(person=bea).latest("id")
    assert event.staff_user == marketing_user
    old, new = event.changes["custom_fields"]
    assert old["first_name"] == "Bea" and "first_name" not in new


def test_an_unchanged_form_changes_nothing_even_for_vibes_shaped_values(marketing_client, bea):
    before = SubscriptionEvent.objects.filter(person=bea).count()
    assert edit(marketing_client, bea).redirect_chain
    bea.refresh_from_db()
    assert bea.custom_fields["favorite_store"]["option_key"] == "riverside"  # kept as sent
    assert SubscriptionEvent.objects.filter(person=bea).count() == before


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"cf_birthday": "31/12/1990"}, "Enter a valid date."),
        ({"cf_favorite_store": "moon"}, "Select a valid choice. moon is not one of"),
        ({"cf_interests": ["hats"]}, "Select a valid choice. hats is not one of"),
        ({"cf_first_name": "B" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_a_value_that_fits_no_definition_is_an_error_on_its_field(
    marketing_client, bea, changes, error
):
    before = SubscriptionEvent.objects.filter(person=bea).count()
    response = edit(marketing_client, bea, external_person_id="crm-77", **changes)
    assert response.status_code == 200 and not response.redirect_chain
    assert error in response.text
    bea.refresh_from_db()
    assert bea.external_person_id is None and bea.custom_fields["first_name"] == "Bea"
    assert SubscriptionEvent.objects.filter(person=bea).count() == before


def test_a_person_added_by_staff_gets_typed_custom_fields(admin_client, definitions):
    response = admin_client.post(
        "/admin/subscribers/person/add/",
        {
            "mdn": "(415) 555-0177",
            "external_person_id": "",
            "carrier_code": "",
            "timezone": "",
            "cf_first_name": "Cy",
            "cf_birthday": "2000-02-29",
            "cf_favorite_store": "",
            "subscriptions-TOTAL_FORMS": "0",
            "subscriptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Person.objects.get().custom_fields == {"first_name": "Cy", "birthday": "2000-02-29"}


def test_staff_who_may_only_view_see_every_value_read_only(client, bea):
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(viewer)
    page = client.get(change_url(bea)).text
    assert 'name="cf_' not in page
    assert "<dt>Birthday</dt><dd>1990-12-31</dd>" in page
    assert "<dt>loyalty_tier</dt><dd>gold</dd>" in page


@pytest.mark.browser
def test_custom_fields_in_a_browser_are_typed_inputs(
    live_server, desktop_page, marketing_user, bea
):
    page = desktop_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", marketing_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}{change_url(bea)}")
    assert page.locator("input[name=cf_birthday]").get_attribute("type") == "date"
    assert page.locator("select[name=cf_favorite_store]").input_value() == "riverside"
    assert page.locator("input[name=cf_interests][value=shoes]").is_checked()
    assert page.locator(".unknown-custom-fields").inner_text().split() == [
        "loyalty_tier",
        "gold",
        "visits",
        "12",
    ]
    page.locator("select[name=cf_favorite_store]").select_option("airport")
    page.fill("input[name=cf_birthday]", "1991-01-02")
    section = page.locator("fieldset", has=page.locator("input[name=cf_birthday]"))
    section.scroll_into_view_if_needed()
    path = screenshot(page, "admin-person-custom-fields")
    assert path.stat().st_size > 10_000
    axe_check({"person custom fields": axe_findings(page)})
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    bea.refresh_from_db()
    assert bea.custom_fields["favorite_store"] == "airport"
    assert bea.custom_fields["birthday"] == "1991-01-02"


@pytest.fixture
def cy(definitions):
    """A person whose values from Vibes fit no definition here: an option the list lacks,
    a date in another format, a list with an unknown option, a number for a text field."""
    person, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(person_key="pk-cy", mdn="+14155550162"),
        source=Source.VIBES_CALLBACK,
        custom_fields={
            "first_name": 12,
            "birthday": "12/31/1990",
            "favorite_store": {"id": 9, "name": "Moon", "option_key": "moon"},
            "interests": ["shoes", "hats"],
            "loyalty_tier": "gold",
        },
    )
    return person


#: What a browser sends for cy's form untouched: a select without its value selected
#: sends its first option ("(none)"), a date input drops a value it cannot read, and only
#: the known checkbox is ticked.
UNTOUCHED_BY_BROWSER = {
    "cf_first_name": "12",
    "cf_birthday": "",
    "cf_favorite_store": "",
    "cf_interests": ["shoes"],
}


def test_saving_untouched_changes_nothing_and_pushes_nothing_whatever_vibes_sent(
    marketing_client, cy
):
    before = (dict(cy.custom_fields), SubscriptionEvent.objects.filter(person=cy).count())
    pushes = Push.objects.count()
    page = marketing_client.get(change_url(cy)).text
    # Values that fit no definition are shown as sent, not as inputs that cannot hold them.
    for key in ("birthday", "favorite_store", "interests", "first_name"):
        assert f'name="cf_{key}"' not in page
    assert "<dt>Favourite store</dt>" in page and "moon" in page
    assert '<dt>Birthday</dt><dd>12/31/1990 <span class="help">(must be a date' in page
    response = edit(marketing_client, cy, **UNTOUCHED_BY_BROWSER)
    assert response.redirect_chain, response.content[:3000]
    cy.refresh_from_db()
    assert (cy.custom_fields, SubscriptionEvent.objects.filter(person=cy).count()) == before
    assert Push.objects.count() == pushes


def test_a_change_to_one_field_leaves_the_values_that_fit_no_definition(marketing_client, bea, cy):
    edit(marketing_client, cy, external_person_id="crm-cy", **UNTOUCHED_BY_BROWSER)
    cy.refresh_from_db()
    assert cy.external_person_id == "crm-cy"
    assert cy.custom_fields["favorite_store"]["option_key"] == "moon"
    assert cy.custom_fields["interests"] == ["shoes", "hats"]
    assert (cy.custom_fields["birthday"], cy.custom_fields["first_name"]) == ("12/31/1990", 12)
    event = SubscriptionEvent.objects.filter(person=cy).latest("id")
    assert set(event.changes) == {"external_person_id"}
    push = Push.objects.get(person=cy, kind=Push.Kind.PERSON)
    assert not push.removed  # no custom field is removed at Vibes


@pytest.mark.browser
def test_saving_untouched_in_a_browser_keeps_what_fits_no_definition(
    live_server, desktop_page, marketing_user, cy
):
    before = dict(cy.custom_fields)
    pushes = Push.objects.count()
    page = desktop_page
    browser_login(page, live_server, marketing_user)
    page.goto(f"{live_server.url}{change_url(cy)}")
    shown = page.locator(".misfit-custom-fields")
    assert "moon" in shown.inner_text() and "12/31/1990" in shown.inner_text()
    assert page.locator("select[name=cf_favorite_store]").count() == 0
    shown.scroll_into_view_if_needed()
    screenshot(page, "admin-person-custom-fields-misfit")
    axe_check({"person custom fields that fit no definition": axe_findings(page)})
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    cy.refresh_from_db()
    assert cy.custom_fields == before
    assert Push.objects.count() == pushes


def test_saving_untouched_values_vibes_ordered_or_spaced_otherwise_changes_nothing(
    marketing_client, definitions
):
    """Values that fit, in a form of Vibes' own: options in another order than the
    checkboxes', a name with a trailing space. The form sends them back in its own form."""
    dee, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(person_key="pk-dee", mdn="+14155550163"),
        source=Source.VIBES_CALLBACK,
        custom_fields={"first_name": "Dee ", "interests": ["coats", "shoes"]},
    )
    before = (dict(dee.custom_fields), SubscriptionEvent.objects.filter(person=dee).count())
    pushes = Push.objects.count()
    response = edit(marketing_client, dee, cf_first_name="Dee", cf_interests=["shoes", "coats"])
    assert response.redirect_chain, response.content[:3000]
    dee.refresh_from_db()
    assert (dee.custom_fields, SubscriptionEvent.objects.filter(person=dee).count()) == before
    assert Push.objects.count() == pushes
