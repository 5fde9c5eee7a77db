"""Persons by external id (read, change details through the services), their history,
the lists, and the schema and reference page."""

import re

import pytest
from rest_framework.test import APIClient

from subscribers import services
from subscribers.models import CustomField, Source, SubscriptionEvent

pytestmark = pytest.mark.django_db

MDN = "+14155550132"


@pytest.fixture
def person(weekly, text_fields):
    person = services.person_create(
        source=Source.ADMIN,
        mdn=MDN,
        external_person_id="crm-1",
        custom_fields={"first_name": "Ana"},
    )
    services.subscription_request(person=person, subscription_list=weekly, source=Source.ADMIN)
    return person


def test_a_person_is_read_by_external_id(api, person):
    body = api.get("/api/v1/persons/crm-1/").json()
    assert body["external_id"] == "crm-1" and body["mdn"] == MDN
    assert body["custom_fields"] == {"first_name": "Ana"}
    assert body["subscriptions"][0]["list"] == "1234"
    assert body["subscriptions"][0]["status"] == "pending"
    for unknown in ("crm-404", "crm%00nul", "x" * 300):
        missing = api.get(f"/api/v1/persons/{unknown}/")
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_person"


def test_details_change_through_the_services_with_history_naming_the_client(api, person):
    response = api.patch(
        "/api/v1/persons/crm-1/",
        {"custom_fields": {"last_name": "García", "first_name": None}, "timezone": "Europe/Madrid"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["custom_fields"] == {"last_name": "García"}
    row = SubscriptionEvent.objects.filter(kind="details_changed", source=Source.API).get()
    assert row.note == "API client: checkout"
    assert set(row.changes) == {"custom_fields", "timezone"}


def test_undefined_custom_fields_bad_values_and_numbers_are_400s_naming_them(api, person):
    CustomField.objects.create(key="birthday", label="Birthday", field_type="date")
    response = api.patch(
        "/api/v1/persons/crm-1/",
        {"custom_fields": {"shoe": "42", "birthday": "not a date"}},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"custom_fields.shoe", "custom_fields.birthday"}
    number = api.patch("/api/v1/persons/crm-1/", {"mdn": "+14155550199"}, format="json")
    assert number.status_code == 400 and list(number.json()["errors"]) == ["mdn"]
    zone = api.patch("/api/v1/persons/crm-1/", {"timezone": "Mars/Base"}, format="json")
    assert zone.status_code == 400 and list(zone.json()["errors"]) == ["timezone"]
    assert not SubscriptionEvent.objects.filter(source=Source.API).exists()


def test_history_is_paginated_newest_first(api, person):
    for n in range(55):
        services.person_update(
            person=person, source=Source.ADMIN, custom_fields={"city": f"City {n}"}
        )
    first = api.get("/api/v1/persons/crm-1/history/").json()
    assert first["count"] == 57 and len(first["results"]) == 50 and first["next"]
    assert first["results"][0]["fields_changed"] == ["custom_fields"]
    second = api.get("/api/v1/persons/crm-1/history/", {"page": 2}).json()
    assert len(second["results"]) == 7 and second["results"][-1]["note"] == "created"
    beyond = api.get("/api/v1/persons/crm-1/history/", {"page": 9})
    assert beyond.status_code == 404 and beyond["Content-Type"] == "application/problem+json"


def test_history_needs_its_scope(make_key, person):
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key('crm', ['persons:read'])}")
    assert caller.get("/api/v1/persons/crm-1/").status_code == 200
    assert caller.get("/api/v1/persons/crm-1/history/").status_code == 403
    assert caller.patch("/api/v1/persons/crm-1/", {}, format="json").status_code == 403


def test_lists_say_which_can_be_joined(api, weekly, unjoinable):
    body = api.get("/api/v1/lists/").json()
    assert [(x["list"], x["joinable"]) for x in body] == [("1234", True), ("1299", False)]


def test_schema_and_reference_are_served_from_this_server_without_inline_script(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = set(schema.json()["paths"])
    assert "/api/v1/consent/" in paths and not any("callbacks" in p for p in paths)
    docs = client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", docs, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert all("//" not in attrs.split("src=")[1][:3] for attrs, _ in scripts)
    assert "https://" not in docs and "<style" not in docs
