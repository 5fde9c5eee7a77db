"""Where the simulator once differed from Vibes' excerpt: each case answers as Vibes does."""

import pytest

CAMPAIGN = "2342312"  # double opt-in, list 1234
DESTINATION = {"url": "http://127.0.0.1:9/callbacks/vibes/tok/", "method": "POST"}


def _errors(answer) -> str:
    return answer.json()["errors"][0]["message"]


@pytest.mark.parametrize("phone", [True, "x", ["+12015550100"], 5])
def test_add_person_with_mobile_phone_of_another_type_is_400(vibes, phone):
    answer = vibes.post("/mobiledb/persons", json={"mobile_phone": phone})
    assert answer.status_code == 400
    assert "mobile_phone" in _errors(answer)


@pytest.mark.parametrize(
    "body",
    [
        {"external_person_id": 42},
        {"mobile_phone": {"mdn": 12015550100}},
        {"mobile_phone": {"mdn": "+12015550100", "carrier_code": {}}},
        {"timezone": ["UTC"]},
    ],
)
def test_person_fields_of_another_type_are_400(sim, vibes, body):
    before = len(sim.state.persons)
    answer = vibes.post("/mobiledb/persons", json=body)
    assert answer.status_code == 400
    assert len(sim.state.persons) == before  # nothing half-added


@pytest.mark.parametrize("value", [3, True, 1.5, ["a", "b"], {"id": 7}])
def test_custom_field_values_that_are_not_strings_or_options_are_400(sim, vibes, value):
    answer = vibes.put(
        "/mobiledb/persons/demo-00001", json={"custom_fields": {"first_name": value}}
    )
    assert answer.status_code == 400
    assert "custom_fields.first_name" in _errors(answer)
    assert sim.state.persons["demo-00001"].custom_fields.get("first_name") != value


def test_custom_field_values_may_be_strings_nulls_options_and_lists_of_options(sim, vibes):
    sim.state.custom_fields.update({"size", "colors"})
    option = {"id": "1", "name": "Large", "option_key": "l", "active": True}
    body = {"custom_fields": {"first_name": "Ana", "size": option, "colors": [option]}}
    answer = vibes.put("/mobiledb/persons/demo-00001", json=body)
    assert answer.status_code == 200
    assert answer.json()["custom_fields"]["size"] == option
    assert answer.json()["custom_fields"]["colors"] == [option]


def test_participant_with_mobile_phone_as_an_array_is_400(vibes):
    answer = vibes.post(
        f"/campaigns/acquisition/{CAMPAIGN}/participants", json={"mobile_phone": ["+1201"]}
    )
    assert answer.status_code == 400


def test_participant_by_person_id_alone_texts_that_persons_number(sim, vibes):
    person = sim.state.persons["demo-00003"]
    sim.state.subscriptions = [s for s in sim.state.subscriptions if s.person_key != "demo-00003"]
    answer = vibes.post(
        "/campaigns/acquisition/2342313/participants", json={"person_id": person.person_id}
    )
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["person"]["person_key"] == "demo-00003"
    assert sim.state.pending(mdn=person.mdn, campaign_id="2342313")


def test_participant_by_external_person_id_alone(sim, vibes):
    person = sim.state.persons["demo-00004"]
    sim.state.subscriptions = [s for s in sim.state.subscriptions if s.person_key != "demo-00004"]
    person.external_person_id = "crm-4"
    answer = vibes.post(
        f"/campaigns/acquisition/{CAMPAIGN}/participants", json={"external_person_id": "crm-4"}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "PENDING"


def test_participant_by_an_unknown_person_id_is_404_and_without_any_id_400(vibes):
    path = f"/campaigns/acquisition/{CAMPAIGN}/participants"
    assert vibes.post(path, json={"person_id": "no-such"}).status_code == 404
    answer = vibes.post(path, json={"custom_fields": {}})
    assert answer.status_code == 400
    assert "person_id" in _errors(answer)


def test_campaign_status_is_lower_case_and_description_returned(vibes):
    campaign = vibes.get(f"/campaigns/acquisition/{CAMPAIGN}").json()
    assert campaign["status"] == "active"
    assert campaign["description"]
    assert {c["status"] for c in vibes.get("/campaigns/acquisition").json()} == {"active"}


def test_head_answers_like_get_without_a_body(vibes):
    answer = vibes.head("/mobiledb/subscription_lists")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.content == b""


def test_options_lists_the_methods_a_path_takes(vibes):
    answer = vibes.options("/mobiledb/persons/demo-00001")
    assert answer.status_code == 204
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PUT"}


def test_a_method_no_path_takes_is_a_json_405(vibes):
    answer = vibes.trace("/mobiledb/subscription_lists")
    assert answer.status_code == 405
    assert answer.json()["errors"][0]["code"] == 4050
    assert "GET" in answer.headers["Allow"]


def test_active_only_must_be_true_or_false(vibes):
    path = "/mobiledb/persons/demo-00000/subscriptions"
    assert vibes.get(path, params={"active_only": "banana"}).status_code == 400
    assert vibes.get(path, params={"active_only": "FALSE"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"callback_type": {"x": 1}, "destination": DESTINATION},
        {"callback_type": "person_added", "destination": "http://127.0.0.1:9/"},
        {"callback_type": "subscription_added", "destination": DESTINATION,
         "subscription_added": {"list_id": 1234}},
        {"callback_type": "person_added", "destination": {**DESTINATION, "url": 5}},
    ],
)  # fmt: skip
def test_callback_registrations_of_the_wrong_types_are_400(sim, vibes, body):
    answer = vibes.post("/config/callbacks", json=body)
    assert answer.status_code == 400
    assert not sim.state.callbacks


@pytest.mark.parametrize(
    "body",
    [
        {"callback_type": ["person_added"]},
        {"callback_type": "person_added", "person": "p-1"},
        {"callback_type": "person_added", "person": {"person_id": 5}},
        {"callback_type": "subscription_added", "subscription": {"subscription_list": "1234"}},
        {"callback_type": "ack_participant_added",
         "participant": {"acquisition_campaign": {"api_key": 2342312}}},
    ],
)  # fmt: skip
def test_test_events_with_wrongly_typed_fields_are_400(wired, vibes, body):
    assert vibes.post("/config/callback_events/test", json=body).status_code == 400


def test_test_events_name_their_list_and_campaign_as_the_excerpt_says(wired, vibes, receiver):
    missing = vibes.post(
        "/config/callback_events/test",
        json={"callback_type": "subscription_added", "subscription": {"person": {"id": "1"}}},
    )
    assert missing.status_code == 400
    assert "subscription.subscription_list.id" in _errors(missing)
    for body in (
        {"callback_type": "subscription_added",
         "subscription": {"subscription_list": {"id": "1234"}}},
        {"callback_type": "ack_participant_changed",
         "participant": {"acquisition_campaign": {"api_key": CAMPAIGN}}},
    ):  # fmt: skip
        answer = vibes.post("/config/callback_events/test", json=body)
        assert answer.status_code == 200, answer.text
    assert wired.wait_idle()
    ack = receiver.events("ack_participant_changed")[0]
    assert ack["participant"]["acquisition_campaign"]["id"] == CAMPAIGN
    assert receiver.events("subscription_added")[0]["subscription"]["subscription_list"] == {
        "id": "1234"
    }
