"""Who may call: Bearer keys kept hashed, revoked at once, scopes, a throttle per client,
and every refusal as problem details."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from api.keys import keys_revoke
from api.models import ApiKey, Scope

pytestmark = pytest.mark.django_db

CONSENT = "/api/v1/consent/?mdn=4155550132&list=1234"


def caller(key):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return c


def test_no_key_is_a_401_problem_with_the_bearer_challenge(weekly):
    response = APIClient().get(CONSENT)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["code"] == "not_authenticated"
    assert {"type", "title", "detail"} <= set(body)


def test_unknown_key_is_refused(weekly, make_key):
    key = make_key()
    forged = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    assert caller(forged).get(CONSENT).status_code == 401
    assert caller("vpc_nothing_here").get(CONSENT).status_code == 401
    assert caller("not-even-a-key").get(CONSENT).status_code == 401


def test_a_revoked_key_is_refused_on_its_very_next_request(weekly, make_key):
    key = make_key()
    assert caller(key).get(CONSENT).status_code == 200
    keys_revoke(keys=ApiKey.objects.all())
    response = caller(key).get(CONSENT)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_inactive_client_is_refused(weekly, make_key):
    key = make_key()
    ApiKey.objects.get().client.__class__.objects.update(is_active=False)
    assert caller(key).get(CONSENT).status_code == 401


def test_missing_scope_is_a_403_naming_it(weekly, make_key):
    key = make_key(name="warehouse", scopes=[Scope.PERSONS_READ])
    response = caller(key).get(CONSENT)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "consent:read" in response.json()["detail"]


def test_keys_are_stored_hashed_never_whole(make_key):
    key = make_key()
    row = ApiKey.objects.get()
    assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert row.prefix in key


def test_each_client_is_throttled_on_its_own(weekly, make_key, settings):
    settings.API_THROTTLE_RATE = "2/min"
    first, second = caller(make_key("a")), caller(make_key("b"))
    assert [first.get(CONSENT).status_code for _ in range(2)] == [200, 200]
    limited = first.get(CONSENT)
    assert limited.status_code == 429
    assert limited.json()["code"] == "throttled" and int(limited["Retry-After"]) > 0
    assert second.get(CONSENT).status_code == 200


def test_api_client_create_prints_a_key_that_works(weekly):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_client_create", "shop", "--scopes", "consent:read", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("vpc_")
    assert caller(key).get(CONSENT).status_code == 200
    assert caller(key).post("/api/v1/opt-outs/", {}, format="json").status_code == 403


def test_unknown_paths_under_the_api_answer_a_problem_not_a_page(api):
    response = api.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_a_405_problem(api, weekly):
    response = api.delete(CONSENT)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
