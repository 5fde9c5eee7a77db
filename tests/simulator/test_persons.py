"""Person API: docs/vibes.md, "Persons", with its status codes and quirks."""

from tests.simulator.conftest import COMPANY, demo_mdn


def test_get_person_by_key_external_id_and_number(vibes):
    by_key = vibes.get("/mobiledb/persons/demo-00003")
    assert by_key.status_code == 200
    person = by_key.json()
    assert person["person_key"] == "demo-00003"
    assert person["person_id"] == "700003"
    assert person["external_person_id"] == "crm-10003"
    assert person["mobile_phone"] == {"mdn": demo_mdn(3), "carrier_code": "104"}
    assert person["url"] == f"/companies/{COMPANY}/mobiledb/persons/demo-00003"
    assert vibes.get("/mobiledb/persons/external/crm-10003").json() == person
    assert vibes.get("/mobiledb/persons?mdn=%2B12015550103").json() == person


def test_unknown_person_is_404(vibes):
    assert vibes.get("/mobiledb/persons/nobody").status_code == 404
    assert vibes.get("/mobiledb/persons/external/nobody").status_code == 404
    assert vibes.get("/mobiledb/persons?mdn=%2B14155550199").status_code == 404


def test_raw_plus_in_query_string_is_invalid_mdn_format(vibes):
    answer = vibes.get("/mobiledb/persons?mdn=+12015550103")
    assert answer.status_code == 400
    assert answer.json() == {"errors": [{"message": "Invalid MDN format", "code": 4001}]}


def test_find_without_mdn_is_404(vibes):
    assert vibes.get("/mobiledb/persons").status_code == 404


def test_add_new_person_is_201(vibes):
    answer = vibes.post(
        "/mobiledb/persons",
        json={
            "external_person_id": "crm-new-1",
            "mobile_phone": {"mdn": "+14155550100"},
            "custom_fields": {"first_name": "Ana"},
        },
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["external_person_id"] == "crm-new-1"
    assert body["mobile_phone"]["mdn"] == "+14155550100"
    assert body["custom_fields"] == {"first_name": "Ana"}
    assert vibes.get(f"/mobiledb/persons/{body['person_key']}").status_code == 200


def test_add_with_existing_number_merges_only_the_fields_sent(vibes):
    before = vibes.get("/mobiledb/persons/demo-00002").json()
    answer = vibes.post(
        "/mobiledb/persons",
        json={"mobile_phone": {"mdn": demo_mdn(2)}, "custom_fields": {"loyalty_tier": "gold"}},
    )
    assert answer.status_code == 200
    merged = answer.json()
    assert merged["person_key"] == "demo-00002"
    assert merged["custom_fields"] == {**before["custom_fields"], "loyalty_tier": "gold"}
    assert merged["external_person_id"] == "crm-10002"


def test_add_with_existing_external_id_merges(vibes):
    answer = vibes.post(
        "/mobiledb/persons",
        json={"external_person_id": "crm-10004", "custom_fields": {"last_name": "Diaz"}},
    )
    assert answer.status_code == 200
    assert answer.json()["person_key"] == "demo-00004"
    assert answer.json()["custom_fields"]["last_name"] == "Diaz"


def test_add_with_number_of_another_person_is_409(vibes):
    answer = vibes.post(
        "/mobiledb/persons",
        json={"external_person_id": "crm-10004", "mobile_phone": {"mdn": demo_mdn(5)}},
    )
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["message"]


def test_add_with_unknown_custom_field_is_422(vibes):
    answer = vibes.post(
        "/mobiledb/persons",
        json={"mobile_phone": {"mdn": "+14155550101"}, "custom_fields": {"shoe_size": "9"}},
    )
    assert answer.status_code == 422
    assert "shoe_size" in answer.json()["errors"][0]["message"]
    assert vibes.get("/mobiledb/persons?mdn=%2B14155550101").status_code == 404


def test_update_is_partial_and_null_removes(vibes):
    before = vibes.get("/mobiledb/persons/demo-00001").json()
    answer = vibes.put(
        "/mobiledb/persons/demo-00001",
        json={"custom_fields": {"first_name": "Zoe", "last_name": None}},
    )
    assert answer.status_code == 200
    after = answer.json()
    assert after["custom_fields"]["first_name"] == "Zoe"
    assert "last_name" not in after["custom_fields"]
    assert after["custom_fields"]["favorite_store"] == before["custom_fields"]["favorite_store"]
    assert after["mobile_phone"] == before["mobile_phone"]
    assert after["external_person_id"] == "crm-10001"


def test_update_to_another_number_is_409_without_body_and_changes_nothing(vibes):
    answer = vibes.put(
        "/mobiledb/persons/demo-00001",
        json={"custom_fields": {"first_name": "Zoe"}, "mobile_phone": {"mdn": "+14155550102"}},
    )
    assert answer.status_code == 409
    assert answer.content == b""
    after = vibes.get("/mobiledb/persons/demo-00001").json()
    assert after["mobile_phone"]["mdn"] == demo_mdn(1)
    assert after["custom_fields"]["first_name"] != "Zoe"


def test_update_with_same_number_is_fine(vibes):
    answer = vibes.put("/mobiledb/persons/demo-00001", json={"mobile_phone": {"mdn": demo_mdn(1)}})
    assert answer.status_code == 200


def test_update_unknown_person_is_404_without_body(vibes):
    answer = vibes.put("/mobiledb/persons/nobody", json={"custom_fields": {}})
    assert answer.status_code == 404
    assert answer.content == b""


def test_erasure_sets_number_external_id_and_fields_to_null(vibes):
    answer = vibes.put(
        "/mobiledb/persons/demo-00006",
        json={
            "external_person_id": None,
            "mobile_phone": {"mdn": None, "carrier_code": None},
            "custom_fields": {"first_name": None, "last_name": None, "favorite_store": None},
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["mobile_phone"] == {"mdn": None, "carrier_code": None}
    assert body["external_person_id"] is None
    assert body["custom_fields"] == {}
    assert vibes.get("/mobiledb/persons?mdn=%2B12015550106").status_code == 404


def test_put_by_external_id_adds_then_updates(vibes):
    created = vibes.put(
        "/mobiledb/persons/external/crm-77",
        json={"mobile_phone": {"mdn": "+14155550103"}, "custom_fields": {"first_name": "Kim"}},
    )
    assert created.status_code == 201
    assert created.json()["external_person_id"] == "crm-77"
    updated = vibes.put(
        "/mobiledb/persons/external/crm-77", json={"custom_fields": {"first_name": "Lena"}}
    )
    assert updated.status_code == 200
    assert updated.json()["person_key"] == created.json()["person_key"]
    assert updated.json()["custom_fields"] == {"first_name": "Lena"}


def test_put_by_external_id_cannot_change_the_number(vibes):
    answer = vibes.put(
        "/mobiledb/persons/external/crm-10002", json={"mobile_phone": {"mdn": "+14155550104"}}
    )
    assert answer.status_code == 409
    assert answer.content == b""


def test_update_external_id_taken_by_another_person_is_409(vibes):
    answer = vibes.put("/mobiledb/persons/demo-00001", json={"external_person_id": "crm-10002"})
    assert answer.status_code == 409


def test_person_callbacks_fire_for_add_merge_and_update(wired, vibes, receiver):
    vibes.post("/mobiledb/persons", json={"mobile_phone": {"mdn": "+14155550105"}})
    vibes.post("/mobiledb/persons", json={"mobile_phone": {"mdn": "+14155550105"}})  # merge
    vibes.put("/mobiledb/persons/demo-00001", json={"custom_fields": {"first_name": "Ivan"}})
    vibes.put("/mobiledb/persons/demo-00001", json={"custom_fields": {"first_name": "Ivan"}})
    assert wired.wait_idle()
    kinds = [e["callback_type"] for e in receiver.events()]
    assert kinds == ["person_added", "person_updated", "person_updated"]  # no-op update: none
    assert receiver.events()[-1]["person"]["custom_fields"]["first_name"] == "Ivan"
