"""Who may do what in the admin: the Marketing group, superusers, and the read-only history."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from callbacks.models import CallbackEvent
from subscribers.models import CustomField, Person, SubscriptionEvent

from .admin_helpers import MARKETING_PERMISSIONS, person_with_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(lists):
    CustomField.objects.create(key="first_name", label="First name")
    return person_with_story(lists, n=1)


def pages(person, sub_list) -> list[str]:
    event = SubscriptionEvent.objects.filter(person=person).first()
    callback = CallbackEvent.objects.filter(person=person).first()
    field = CustomField.objects.first()
    p = f"/admin/subscribers/person/{person.pk}"
    return [
        "/admin/",
        "/admin/subscribers/",
        "/admin/callbacks/",
        "/admin/subscribers/person/",
        "/admin/subscribers/person/?q=%28415%29+555-0001&list=1&status=active",
        f"{p}/change/",
        f"{p}/change/?history_page=2",
        f"{p}/opt-out/",
        f"{p}/preference-link/",
        f"{p}/consent/",
        f"{p}/history/",
        "/admin/subscribers/subscriptionlist/",
        f"/admin/subscribers/subscriptionlist/{sub_list.pk}/change/",
        "/admin/subscribers/subscriptionevent/",
        "/admin/subscribers/subscriptionevent/?kind__exact=opted_out",
        f"/admin/subscribers/subscriptionevent/{event.pk}/change/",
        "/admin/subscribers/customfield/",
        f"/admin/subscribers/customfield/{field.pk}/change/",
        "/admin/callbacks/callbackevent/",
        f"/admin/callbacks/callbackevent/{callback.pk}/change/",
    ]


def test_marketing_group_from_the_migration_has_exactly_what_staff_need():
    group = Group.objects.get(name="Marketing")
    granted = {
        (p.content_type.app_label, p.codename)
        for p in group.permissions.select_related("content_type")
    }
    assert granted == set(MARKETING_PERMISSIONS)
    assert not any(codename.startswith(("delete_", "add_")) for _, codename in granted)
    assert ("subscribers", "change_subscriptionevent") not in granted
    assert ("callbacks", "change_callbackevent") not in granted


def test_every_admin_page_renders_for_marketing_staff(marketing_client, lists, ana):
    for url in pages(ana, lists[0]):
        response = marketing_client.get(url)
        assert response.status_code == 200, url
    html = marketing_client.get(f"/admin/subscribers/person/{ana.pk}/change/").content.decode()
    base = f"/admin/subscribers/person/{ana.pk}"
    for tool in ("opt-out", "preference-link", "consent"):
        assert f'href="{base}/{tool}/"' in html


def test_every_admin_page_renders_for_a_superuser(admin_client, lists, ana):
    for url in pages(ana, lists[0]):
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_marketing_cannot_change_history_callbacks_lists_or_delete_persons(
    marketing_client, lists, ana
):
    event = SubscriptionEvent.objects.filter(person=ana).first()
    callback = CallbackEvent.objects.filter(person=ana).first()
    original_body = callback.body
    sub_list = lists[0]
    refused = {
        f"/admin/subscribers/subscriptionevent/{event.pk}/change/": {"note": "rewritten"},
        f"/admin/subscribers/subscriptionevent/{event.pk}/delete/": {"post": "yes"},
        "/admin/subscribers/subscriptionevent/add/": {},
        f"/admin/callbacks/callbackevent/{callback.pk}/change/": {"body": "{}"},
        f"/admin/callbacks/callbackevent/{callback.pk}/delete/": {"post": "yes"},
        "/admin/callbacks/callbackevent/add/": {},
        f"/admin/subscribers/person/{ana.pk}/delete/": {"post": "yes"},
        "/admin/subscribers/person/add/": {"mdn": "+14155550150"},
        f"/admin/subscribers/subscriptionlist/{sub_list.pk}/change/": {"name": "Renamed"},
        "/admin/subscribers/subscriptionlist/add/": {"list_id": "9", "name": "x"},
        f"/admin/subscribers/customfield/{CustomField.objects.get().pk}/change/": {"label": "x"},
    }
    for url, data in refused.items():
        assert marketing_client.post(url, data).status_code == 403, url
    # Bulk delete is not offered either.
    page = marketing_client.get("/admin/subscribers/person/")
    choices = [name for name, _ in page.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert {"opt_out", "export_csv", "export_proof_of_consent"} <= set(choices)
    # Read-only pages have no Save button.
    page = marketing_client.get(f"/admin/callbacks/callbackevent/{callback.pk}/change/")
    assert b'name="_save"' not in page.content
    event.refresh_from_db()
    callback.refresh_from_db()
    sub_list.refresh_from_db()
    assert event.note == "created" and callback.body == original_body
    assert sub_list.name == "Weekly deals" and Person.objects.filter(pk=ana.pk).exists()


def test_history_stays_read_only_for_superusers(admin_client, ana):
    event = SubscriptionEvent.objects.filter(person=ana).first()
    url = f"/admin/subscribers/subscriptionevent/{event.pk}/change/"
    assert b'name="_save"' not in admin_client.get(url).content
    assert admin_client.post(url, {"note": "rewritten"}).status_code == 403
    assert admin_client.post(f"{url[:-7]}delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.note == "created"


def test_anonymous_visitors_are_sent_to_the_login_page(client, ana):
    for url in (
        "/admin/subscribers/person/",
        f"/admin/subscribers/person/{ana.pk}/consent/",
        f"/admin/subscribers/person/{ana.pk}/opt-out/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_staff_with_view_only_may_not_see_links_or_the_change_tools(client, ana):
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(viewer)
    page = client.get(f"/admin/subscribers/person/{ana.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Opt-in history" in html
    base = f"/admin/subscribers/person/{ana.pk}"
    for tool in ("opt-out", "preference-link", "consent"):
        assert f'href="{base}/{tool}/"' not in html
    # The change form's read-only "preference link" field would hand over the link itself.
    assert not re.search(r'href="[^"]*/preferences/', html)
    assert client.get(f"/admin/subscribers/person/{ana.pk}/preference-link/").status_code == 403


def test_staff_who_may_change_the_person_see_the_link_on_the_page(client, ana):
    editor = get_user_model().objects.create_user(username="editor", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_person", "change_person"])
    )
    client.force_login(editor)
    html = client.get(f"/admin/subscribers/person/{ana.pk}/change/").content.decode()
    assert re.search(r'href="[^"]*/preferences/', html)
    assert f'href="/admin/subscribers/person/{ana.pk}/preference-link/"' in html
