"""Acquisition participants (web-based subscriber management).

docs/vibes.md, "Subscribing someone".
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.simulator.conftest import VibesClient

NEW = "+14155550120"


def _join(vibes, mdn=NEW, campaign="2342312", **body):
    return vibes.post(
        f"/campaigns/acquisition/{campaign}/participants",
        json={"mobile_phone": {"mdn": mdn}, **body},
    )


def test_double_opt_in_campaign_answers_201_pending(vibes):
    answer = _join(vibes, external_person_id="crm-web-1", custom_fields={"first_name": "Ana"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "PENDING"
    assert set(body["person"]) == {"person_id", "person_key", "url"}
    assert body["participation_date"] and body["expire_date"] > body["participation_date"]
    person = vibes.get(f"/mobiledb/persons/{body['person']['person_key']}").json()
    assert person["external_person_id"] == "crm-web-1"
    assert person["custom_fields"] == {"first_name": "Ana"}
    assert vibes.get(f"/mobiledb/persons/{person['person_key']}/subscriptions").json() == []


def test_single_opt_in_campaign_subscribes_at_once(vibes):
    answer = _join(vibes, campaign="2342314")
    assert (answer.status_code, answer.json()["status"]) == (201, "SUBSCRIBED")
    key = answer.json()["person"]["person_key"]
    subs = vibes.get(f"/mobiledb/persons/{key}/subscriptions").json()
    assert [s["subscription_list"]["id"] for s in subs] == ["1236"]


def test_asking_again_while_pending_is_200(vibes):
    first = _join(vibes)
    again = _join(vibes)
    assert again.status_code == 200
    assert again.json()["status"] == "PENDING"
    assert again.json()["person"] == first.json()["person"]


@pytest.mark.parametrize("mdn", ["4155550120", "+1415555", "not a number", "", None])
def test_invalid_number_is_400(vibes, mdn):
    answer = _join(vibes, mdn=mdn)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Invalid MDN format"


def test_already_subscribed_is_409(sim, vibes):
    sub = next(s for s in sim.state.subscriptions if s.active and s.list_id == "1234")
    mdn = sim.state.person(sub.person_key).mdn
    answer = _join(vibes, mdn=mdn)
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["message"] == "Already subscribed to the subscription list"


def test_number_that_replied_no_is_blocked_with_422(sim, vibes):
    _join(vibes)
    sim.reply(mdn=NEW, text="NO")
    answer = _join(vibes)
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["code"] == "MDNHASCONFIRMATIONBLOCK"
    assert "MDNHASCONFIRMATIONBLOCK" in error["message"]
    assert _join(vibes, campaign="2342313").status_code == 201  # only that campaign


def test_unknown_custom_field_is_422(vibes):
    answer = _join(vibes, custom_fields={"shoe_size": "9"})
    assert answer.status_code == 422
    assert "shoe_size" in answer.json()["errors"][0]["message"]


def test_external_id_of_another_person_is_422_mismatch(vibes):
    answer = _join(vibes, external_person_id="crm-10003")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "EXTERNALPERSONIDMISMATCH"


def test_known_number_with_a_different_external_id_is_422_mismatch(vibes):
    answer = _join(vibes, mdn="+12015550104", campaign="2342313", external_person_id="crm-x")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "EXTERNALPERSONIDMISMATCH"


def test_landline_is_422(sim, vibes):
    sim.state.landlines.add(NEW)
    assert _join(vibes).status_code == 422


def test_unknown_campaign_is_404(vibes):
    assert _join(vibes, campaign="999").status_code == 404


def test_pending_participants_by_number_person_id_and_external_id(vibes):
    joined = _join(vibes, external_person_id="crm-web-2").json()
    by_mdn = vibes.get("/campaigns/acquisition/2342312/participants?mdn=%2B14155550120").json()
    assert [p["status"] for p in by_mdn] == ["PENDING"]
    assert by_mdn[0]["person"]["person_id"] == joined["person"]["person_id"]
    by_id = vibes.get(
        f"/campaigns/acquisition/2342312/participants?person_id={joined['person']['person_id']}"
    ).json()
    assert by_id == by_mdn
    by_ext = vibes.get("/campaigns/acquisition/2342312/participants?external_person_id=crm-web-2")
    assert by_ext.json() == by_mdn
    other = vibes.get("/campaigns/acquisition/2342313/participants?mdn=%2B14155550120")
    assert other.json() == []
    bad = vibes.get("/campaigns/acquisition/2342312/participants?mdn=+14155550120")
    assert bad.status_code == 400


def test_expired_confirmation_is_no_longer_pending(sim, vibes):
    _join(vibes)
    for participant in sim.state.pending(mdn=NEW):
        participant.status = "EXPIRED"
    assert vibes.get("/campaigns/acquisition/2342312/participants?mdn=%2B14155550120").json() == []
    assert _join(vibes).status_code == 201  # a new request starts over


def test_concurrent_requests_for_one_number_make_one_participant(sim):
    def join(_):
        client = VibesClient(sim.url)
        try:
            return _join(client).status_code
        finally:
            client.session.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(join, range(16)))
    assert statuses == [200] * 15 + [201]
    assert len(sim.state.pending(mdn=NEW)) == 1
    assert sum(p.mdn == NEW for p in sim.state.persons.values()) == 1
