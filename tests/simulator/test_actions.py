"""Replies by text (Y, NO, STOP) and changes made in Vibes fire the callbacks Vibes sends."""

import pytest

from simulator import ApiError

NEW = "+14155550130"


def _join(vibes, campaign="2342312", mdn=NEW):
    answer = vibes.post(
        f"/campaigns/acquisition/{campaign}/participants", json={"mobile_phone": {"mdn": mdn}}
    )
    assert answer.status_code == 201
    return answer.json()


def test_reply_y_confirms_and_subscribes(wired, vibes, receiver):
    joined = _join(vibes)
    wired.reply(mdn=NEW, text="Y")
    assert wired.wait_idle()
    kinds = [e["callback_type"] for e in receiver.events()]
    assert kinds == [
        "person_added",
        "ack_participant_added",
        "ack_participant_changed",
        "subscription_added",
    ]
    added, changed = (
        receiver.events("ack_participant_added")[0],
        receiver.events("ack_participant_changed")[0],
    )
    assert added["participant"]["status"] == "PENDING"
    participant = changed["participant"]
    assert participant["status"] == "CONFIRMED"
    assert participant["person"]["id"] == joined["person"]["person_id"]
    assert participant["person"]["mobile_phone"] == {"mdn": NEW}
    assert participant["acquisition_campaign"]["id"] == "2342312"
    assert participant["acquisition_campaign"]["keyword"] == "DEALS"
    subscription = receiver.events("subscription_added")[0]["subscription"]
    assert subscription["subscription_list"]["id"] == "1234"
    assert subscription["acquisition_campaign"]["id"] == "2342312"
    assert subscription["person"]["person_key"] == joined["person"]["person_key"]
    assert subscription["opt_in_date"]
    assert changed["event_date"] < receiver.events("subscription_added")[0]["event_date"]
    subs = vibes.get(f"/mobiledb/persons/{joined['person']['person_key']}/subscriptions").json()
    assert [s["subscription_list"]["id"] for s in subs] == ["1234"]


def test_reply_no_rejects_and_blocks_the_number(wired, vibes, receiver):
    _join(vibes)
    wired.reply(mdn=NEW, text="no")
    assert wired.wait_idle()
    [changed] = receiver.events("ack_participant_changed")
    assert changed["participant"]["status"] == "REJECTED"
    assert receiver.events("subscription_added") == []
    again = vibes.post(
        "/campaigns/acquisition/2342312/participants", json={"mobile_phone": {"mdn": NEW}}
    )
    assert again.status_code == 422


def test_reply_without_a_pending_request_is_refused(wired):
    with pytest.raises(ApiError) as err:
        wired.reply(mdn=NEW, text="Y")
    assert err.value.status == 404


def test_reply_answers_the_latest_pending_campaign(wired, vibes, receiver):
    _join(vibes, campaign="2342312")
    _join(vibes, campaign="2342313")
    wired.reply(mdn=NEW, text="Y")
    assert wired.wait_idle()
    [added] = receiver.events("subscription_added")
    assert added["subscription"]["subscription_list"]["id"] == "1235"
    wired.reply(mdn=NEW, text="Y", campaign_id="2342312")
    assert wired.wait_idle()
    assert len(receiver.events("subscription_added")) == 2


def test_text_stop_opts_out_of_every_list_as_user_opt_out(wired, receiver):
    person = wired.state.person("demo-00000")
    active = {s.list_id for s in wired.state.subscriptions_of("demo-00000")}
    wired.state.subscribe(person, "1237")
    wired.reply(mdn=person.mdn, text="STOP")
    assert wired.wait_idle()
    removed = receiver.events("subscription_removed")
    assert {e["subscription"]["subscription_list"]["id"] for e in removed} == active | {"1237"}
    assert {e["subscription"]["opt_out_reason"] for e in removed} == {"user_opt_out"}
    assert all(e["subscription"]["opt_out_date"] for e in removed)
    assert wired.state.subscriptions_of("demo-00000") == []


def test_stop_keyword_for_one_list_is_keyword_opt_out(wired, receiver):
    person = wired.state.person("demo-00000")
    wired.state.subscribe(person, "1237")
    wired.reply(mdn=person.mdn, text="STOP", list_id="1237")
    assert wired.wait_idle()
    [removed] = receiver.events("subscription_removed")
    assert removed["subscription"]["subscription_list"]["id"] == "1237"
    assert removed["subscription"]["opt_out_reason"] == "keyword_opt_out"
    assert wired.state.subscriptions_of("demo-00000")  # the other list stays


def test_stop_from_a_non_subscriber_is_refused(wired):
    with pytest.raises(ApiError):
        wired.reply(mdn=NEW, text="STOP")


def test_list_added_and_updated(wired, receiver):
    wired.state.list_upsert(list_id="1240", name="Flash sales")
    wired.state.list_upsert(list_id="1240", name="Flash sales!")
    assert wired.wait_idle()
    kinds = [(e["callback_type"], e["subscription_list"]["name"]) for e in receiver.events()]
    assert kinds == [
        ("subscription_list_added", "Flash sales"),
        ("subscription_list_updated", "Flash sales!"),
    ]
    assert receiver.events()[0]["subscription_list"]["id"] == "1240"


def test_person_updated_in_vibes(wired, receiver):
    person = wired.state.person("demo-00002")
    wired.state.person_update(person, {"custom_fields": {"loyalty_tier": "gold"}})
    assert wired.wait_idle()
    [event] = receiver.events("person_updated")
    assert event["person"]["person_key"] == "demo-00002"
    assert event["person"]["custom_fields"]["loyalty_tier"] == "gold"
