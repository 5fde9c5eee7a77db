"""Basic auth, the company key and ``X-API-Version`` are enforced as Vibes does."""

import requests

from tests.simulator.conftest import COMPANY, PASSWORD, USER, VibesClient, demo_mdn


def test_missing_credentials_are_401_with_an_error_body(sim):
    answer = requests.get(f"{sim.url}/companies/{COMPANY}/mobiledb/subscription_lists", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["message"] == "Authentication failed"


def test_wrong_password_is_401(sim):
    answer = requests.get(
        f"{sim.url}/companies/{COMPANY}/mobiledb/persons/demo-00001",
        auth=(USER, "wrong"),
        headers={"X-API-Version": "2"},
        timeout=5,
    )
    assert answer.status_code == 401


def test_another_company_key_is_403(sim):
    answer = requests.get(
        f"{sim.url}/companies/other/mobiledb/persons/demo-00001",
        auth=(USER, PASSWORD),
        headers={"X-API-Version": "2"},
        timeout=5,
    )
    assert answer.status_code == 403


def test_without_version_header_e164_numbers_are_rejected(sim):
    v1 = VibesClient(sim.url, version=None)
    assert v1.get("/mobiledb/persons?mdn=%2B12015550101").status_code == 400
    answer = v1.post("/mobiledb/persons", json={"mobile_phone": {"mdn": "+14155550100"}})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Invalid MDN format"
    participant = v1.post(
        "/campaigns/acquisition/2342312/participants", json={"mobile_phone": {"mdn": demo_mdn(1)}}
    )
    assert participant.status_code == 400


def test_version_1_takes_and_shows_national_numbers(sim):
    v1 = VibesClient(sim.url, version="1")
    answer = v1.get("/mobiledb/persons?mdn=2015550101")
    assert answer.status_code == 200
    assert answer.json()["mobile_phone"]["mdn"] == "2015550101"
    v2 = VibesClient(sim.url).get("/mobiledb/persons/demo-00001")
    assert v2.json()["mobile_phone"]["mdn"] == "+12015550101"


def test_version_2_rejects_national_numbers(vibes):
    assert vibes.get("/mobiledb/persons?mdn=2015550101").status_code == 400


def test_unknown_version_is_400(sim):
    answer = VibesClient(sim.url, version="7").get("/mobiledb/subscription_lists")
    assert answer.status_code == 400


def test_malformed_json_body_is_400(vibes):
    answer = vibes.post(
        "/mobiledb/persons",
        data=b'{"mobile_phone": {"mdn": "+14155550100"},}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json() == {"errors": [{"message": "Malformed JSON body", "code": 4011}]}


def test_unknown_path_is_404_and_wrong_method_405(vibes):
    assert vibes.get("/mobiledb/nothing").status_code == 404
    assert vibes.delete("/mobiledb/persons/demo-00001").status_code == 405


def test_trailing_slash_is_accepted(vibes):
    assert vibes.get("/mobiledb/subscription_lists/").status_code == 200
    answer = vibes.post("/mobiledb/persons/", json={"mobile_phone": {"mdn": "+14155550106"}})
    assert answer.status_code == 201
