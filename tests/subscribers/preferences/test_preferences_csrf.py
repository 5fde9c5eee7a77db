"""CSRF on the no-referrer preference pages (subscribers/preferences/csrf.py).

The pages are sent with ``Referrer-Policy: no-referrer``, so a browser posts their forms
with ``Origin: null`` and no Referer. ``Origin: null`` is also what a sandboxed frame or a
``data:`` page on another site sends, so it is accepted only when the browser itself says
the request comes from our own origin (``Sec-Fetch-Site: same-origin``, a header no page
script can set). The form's CSRF token is required in every case.
"""

import pytest
from django.test import Client

from subscribers.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client(url):
    client = Client(enforce_csrf_checks=True)
    client.get(url, secure=True)
    return client


def weekly_status(world):
    return Subscription.objects.get(person=world.person, subscription_list=world.weekly).status


def leave_weekly(world, client, url, *, token=True, **headers):
    form = {"shown": [f"{world.weekly.pk}:1"]}
    if token:
        form["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    return client.post(f"{url}lists/", form, secure=True, **headers)


def test_origin_null_from_the_page_itself_is_accepted_with_the_token(world, csrf_client, url):
    response = leave_weekly(
        world, csrf_client, url, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 302
    assert weekly_status(world) == Subscription.Status.OPTED_OUT


def test_origin_null_still_needs_the_token(world, csrf_client, url):
    response = leave_weekly(
        world,
        csrf_client,
        url,
        token=False,
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 403
    assert weekly_status(world) == Subscription.Status.ACTIVE


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site", "none"])
def test_origin_null_from_another_site_is_refused(world, csrf_client, url, fetch_site):
    """A sandboxed frame elsewhere also posts ``Origin: null``; the browser says cross-site."""
    response = leave_weekly(
        world, csrf_client, url, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE=fetch_site
    )
    assert response.status_code == 403
    assert weekly_status(world) == Subscription.Status.ACTIVE


def test_origin_null_without_fetch_metadata_is_refused_over_https(world, csrf_client, url):
    """Without the header, ``Origin: null`` would skip Django's HTTPS Referer check."""
    response = leave_weekly(world, csrf_client, url, HTTP_ORIGIN="null")
    assert response.status_code == 403
    assert weekly_status(world) == Subscription.Status.ACTIVE


def test_a_foreign_origin_is_refused_whatever_fetch_metadata_says(world, csrf_client, url):
    response = leave_weekly(
        world,
        csrf_client,
        url,
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 403
    assert weekly_status(world) == Subscription.Status.ACTIVE


def test_our_own_origin_is_accepted_as_django_does(world, csrf_client, url):
    response = leave_weekly(world, csrf_client, url, HTTP_ORIGIN="https://testserver")
    assert response.status_code == 302
    assert weekly_status(world) == Subscription.Status.OPTED_OUT


def test_the_site_wide_csrf_check_still_refuses_origin_null_elsewhere(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "password", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 403
