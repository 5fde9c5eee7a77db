"""Custom fields set up with help: options as rows, the reminder that Vibes must know the
field first; stopped pushes with Retry and Discard."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission

from subscribers.models import CustomField, Person, Push
from subscribers.outbox.origin import unpushed
from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document

from .admin_helpers import PASSWORD, log_in_as_superuser

pytestmark = pytest.mark.django_db
ADD = "/admin/subscribers/customfield/add/"
PUSHES = "/admin/subscribers/push/"


def field_form(**extra):
    data = {
        "key": "favorite_store",
        "label": "Favourite store",
        "label_es": "Tienda favorita",
        "field_type": "single_select",
        "position": "0",
        "options-rows": "4",
    }
    data.update(extra)
    return data


def test_the_form_says_the_field_must_exist_in_vibes_first_and_offers_option_rows(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert "must exist in Vibes before it is added here" in html
    assert "Create the field in Vibes first, with exactly this key" in html
    assert 'name="options-0-key"' in html and 'name="options-2-label_es"' in html
    assert "<textarea" not in html.split('id="id_options')[0].rsplit("<fieldset", 1)[-1]


def test_options_entered_as_rows_are_stored_as_vibes_keys_with_both_labels(admin_client):
    response = admin_client.post(
        ADD,
        field_form(
            **{
                "options-0-key": "downtown",
                "options-0-label": "Downtown",
                "options-0-label_es": "Centro",
                "options-1-key": "airport",
                "options-1-label": "Airport",
                # rows 2 and 3 left empty: dropped
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    field = CustomField.objects.get(key="favorite_store")
    assert field.options == [
        {"key": "downtown", "label": "Downtown", "label_es": "Centro"},
        {"key": "airport", "label": "Airport"},
    ]
    html = admin_client.get(f"/admin/subscribers/customfield/{field.pk}/change/").content.decode()
    assert 'name="options-0-label_es" value="Centro"' in html


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ({"options-0-label": "Downtown"}, "Each option needs its key"),
        (
            {"options-0-key": "a", "options-0-label": "A", "options-1-key": "a"},
            "The key “a” is there twice.",
        ),
        ({}, "A select field needs at least one option."),
    ],
)
def test_an_option_without_a_key_a_repeated_key_or_no_option_is_refused(admin_client, rows, error):
    response = admin_client.post(ADD, field_form(**rows))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CustomField.objects.exists()


def stopped(kind=Push.Kind.PERSON, n=1) -> Push:
    person = unpushed(Person(mdn=f"+1299555{n:04d}", sync_state="attention"))
    person.save()
    return Push.objects.create(
        person=person,
        kind=kind,
        state=Push.State.STOPPED,
        last_error="Vibes answered 422: unknown custom field favorite_store",
    )


def act(client, action, pushes):
    return client.post(
        PUSHES,
        {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in pushes]},
        follow=True,
    )


def test_a_stopped_push_can_be_retried_once_the_cause_is_fixed(admin_client):
    push = stopped()
    response = act(admin_client, "retry_pushes", [push])
    push.refresh_from_db()
    assert push.state == Push.State.PENDING and push.attempts == 0
    assert "1 push queued again." in response.content.decode()


def test_a_stopped_push_can_be_discarded_and_says_who_did(admin_client):
    push = stopped()
    response = act(admin_client, "discard_pushes", [push])
    push.refresh_from_db()
    assert push.state == Push.State.SUPERSEDED
    assert push.last_error.startswith("Discarded by admin. Last error: Vibes answered 422")
    assert Person.objects.get(pk=push.person_id).sync_state == Person.SyncState.IN_SYNC
    assert "1 push discarded." in response.content.decode()


def test_an_erasure_is_never_discarded(admin_client):
    push = stopped(kind=Push.Kind.ERASURE)
    response = act(admin_client, "discard_pushes", [push])
    push.refresh_from_db()
    assert push.state == Push.State.STOPPED
    assert "Erasures are never discarded" in response.content.decode()


def test_staff_who_may_only_view_pushes_get_neither_action(client, django_user_model):
    push = stopped()
    viewer = django_user_model.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_push"))
    client.force_login(viewer)
    html = client.get(PUSHES).content.decode()
    assert "retry_pushes" not in html and "discard_pushes" not in html
    act(client, "discard_pushes", [push])
    push.refresh_from_db()
    assert push.state == Push.State.STOPPED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_custom_field_rows_and_push_actions_in_a_browser(live_server, browser, width):
    stopped()
    with open_page(browser, PHONE if width == "phone" else DESKTOP) as page:
        log_in_as_superuser(page, live_server.url)
        page.goto(f"{live_server.url}{ADD}")
        page.fill("#id_key", "favorite_store")
        page.fill("#id_label", "Favourite store")
        page.select_option("#id_field_type", "single_select")
        page.get_by_label("Option 1: Key (as in Vibes)").fill("downtown")
        page.get_by_label("Option 1: Label", exact=True).fill("Downtown")
        page.get_by_label("Option 1: Label in Spanish").fill("Centro")
        document(page, f"admin-custom-field-rows-{width}")
        found = {"custom field": axe_findings(page)}
        page.get_by_role("button", name="Save", exact=True).click()
        assert CustomField.objects.get().options[0]["label_es"] == "Centro"
        page.goto(f"{live_server.url}{PUSHES}?state__exact=stopped")
        options = page.locator("select[name=action] option").all_inner_texts()
        assert any(o.startswith("Retry the selected pushes") for o in options)
        assert any(o.startswith("Discard the selected pushes") for o in options)
        document(page, f"admin-stopped-pushes-{width}")
        found["pushes"] = axe_findings(page)
        axe_check(found)
