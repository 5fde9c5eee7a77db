"""Staff who may only look change nothing: every action, form and page of every admin
class, posted by a user holding every view permission and no other, leaves every table
as it was. Replaying a callback needs the callback change permission (callbacks/admin.py)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.urls import reverse

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import CustomField, Source, Subscription

from .admin_helpers import PASSWORD, T0, person_with_story, vibes_callback

pytestmark = pytest.mark.django_db

STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change", "autocomplete"}


@pytest.fixture
def viewer(client):
    user = get_user_model().objects.create_user(username="vic", password=PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


@pytest.fixture
def story(lists):
    """A person with a history, a custom field, a change waiting to be pushed, and a
    callback that failed: the opt-out a replay would apply."""
    CustomField.objects.create(key="first_name", label="First name")
    person = person_with_story(lists, n=1)
    services.person_update(person=person, source=Source.ADMIN, external_person_id="crm-9")
    failed = vibes_callback(
        "subscription_removed",
        event_id="RM-FAILED",
        person=person,
        sub_list=lists[1],
        when=T0 + timedelta(days=5),
        reason="keyword_opt_out",
    )
    failed.status, failed.error = CallbackEvent.Status.FAILED, "the database was away"
    failed.save()
    return person, failed


def snapshot() -> dict:
    """Every row of every table but the sessions."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }


def first_pk(model_admin):
    obj = model_admin.model._base_manager.order_by("pk").first()
    return obj.pk if obj else 1


def test_a_view_only_user_cannot_replay_a_failed_callback(viewer, story):
    person, failed = story
    response = viewer.post(
        reverse("admin:callbacks_callbackevent_changelist"),
        {"action": "replay", ACTION_CHECKBOX_NAME: [failed.pk], "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == CallbackEvent.Status.FAILED
    assert Subscription.objects.get(person=person, subscription_list__list_id="1235").status == (
        "active"
    )


def test_a_view_only_user_changes_nothing_whatever_they_post(viewer, story):
    before = snapshot()
    tried = []
    form = {"apply": "1", "post": "yes", "reason": "other", "note": "x", "list": "all"}
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pk = first_pk(model_admin)
        everyone = model._base_manager.values_list("pk", flat=True)
        for _func, name, _description in model_admin._get_base_actions():
            answer = viewer.post(
                reverse("admin:{}_{}_changelist".format(*info)),
                {"action": name, ACTION_CHECKBOX_NAME: list(everyone), "index": "0", **form},
            )
            tried.append((f"{info} action {name}", answer.status_code))
        for view, args in (("add", []), ("change", [pk]), ("delete", [pk])):
            answer = viewer.post(reverse("admin:{}_{}_{}".format(*info, view), args=args), form)
            tried.append((f"{info} {view}", answer.status_code))
            assert answer.status_code in (302, 403, 404), tried[-1]
        for pattern in model_admin.get_urls():
            name = pattern.name or ""
            if not name or name.removeprefix("{}_{}_".format(*info)) in STANDARD_VIEWS:
                continue
            kwargs = {key: pk for key in pattern.pattern.converters}
            answer = viewer.post(reverse(f"admin:{name}", kwargs=kwargs), form)
            tried.append((name, answer.status_code))
            assert answer.status_code in (302, 403, 404), tried[-1]
    assert any("replay" in what for what, _status in tried)
    assert snapshot() == before, tried
