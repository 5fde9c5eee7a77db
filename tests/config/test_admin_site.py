"""The admin site's own behaviour: the product's name, and permissions read in one query."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config.auth import OneQueryPermissionsBackend

pytestmark = pytest.mark.django_db


def perm(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


@pytest.fixture
def clerk():
    user = get_user_model().objects.create_user("clerk", password="pw-not-used", is_staff=True)
    group = Group.objects.create(name="Clerks")
    group.permissions.add(perm("view_person"), perm("change_person"))
    user.groups.add(group)
    user.user_permissions.add(perm("view_subscriptionlist"))
    return get_user_model().objects.get(pk=user.pk)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_permissions_are_the_union_of_own_and_group_permissions_as_model_backend_says(clerk):
    ours = OneQueryPermissionsBackend().get_all_permissions(fresh(clerk))
    assert ours == ModelBackend().get_all_permissions(fresh(clerk))
    assert ours == {
        "subscribers.view_person",
        "subscribers.change_person",
        "subscribers.view_subscriptionlist",
    }


def test_permissions_are_read_in_one_query_and_once_per_request(clerk):
    user = fresh(clerk)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("subscribers.change_person")
        assert user.has_perm("subscribers.view_subscriptionlist")
        assert not user.has_perm("subscribers.delete_person")
        assert user.has_module_perms("subscribers")
    assert len(queries) == 1


def test_a_permission_taken_from_the_group_is_gone_on_the_next_request(clerk):
    assert fresh(clerk).has_perm("subscribers.change_person")
    Group.objects.get(name="Clerks").permissions.remove(perm("change_person"))
    assert not fresh(clerk).has_perm("subscribers.change_person")
    assert fresh(clerk).has_perm("subscribers.view_person")


def test_inactive_users_have_no_permissions_and_superusers_have_all(clerk):
    clerk.is_active = False
    clerk.save()
    assert OneQueryPermissionsBackend().get_all_permissions(fresh(clerk)) == set()
    boss = get_user_model().objects.create_superuser("boss", password="pw-not-used")
    assert fresh(boss).has_perm("auth.delete_group")
    assert OneQueryPermissionsBackend().get_all_permissions(fresh(boss)) == (
        ModelBackend().get_all_permissions(fresh(boss))
    )


def test_signing_in_still_checks_the_password(client, clerk):
    sign_in = RequestFactory().post("/admin/login/")  # django-axes counts by request
    assert not client.login(request=sign_in, username="clerk", password="wrong")
    assert client.login(request=sign_in, username="clerk", password="pw-not-used")


def test_an_admin_page_reads_the_users_permissions_once(client, clerk):
    """The page checks its own permission and the sidebar checks every model's: one query
    answers them all."""
    client.force_login(clerk)
    sql = []

    def record(execute, query, params, many, context):
        sql.append(query)
        return execute(query, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get("/admin/subscribers/subscriptionlist/")
    assert response.status_code == 200
    assert 'id="nav-sidebar"' in response.text
    assert "/admin/subscribers/person/" in response.text  # in the sidebar: may view persons
    assert "/admin/auth/user/" not in response.text  # may not view users
    assert sum("auth_permission" in q for q in sql) == 1


def test_the_admin_carries_the_products_name(client, clerk):
    client.force_login(clerk)
    index = client.get("/admin/")
    assert "<title>Subscribers, lists and what Vibes sent | Vibes preference center" in (index.text)
    assert "Vibes preference center</a>" in index.text
