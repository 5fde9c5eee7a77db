"""The registration plan (callbacks/plan.py): what fits in Vibes' limit, in the order
compliance needs, and what is left out, named."""

import pytest

from callbacks.plan import SourceCode, Wanted, callback_plan, parse_source_codes

LISTS = [str(1000 + n) for n in range(25)]
CAMPAIGNS = [str(2000 + n) for n in range(25)]
CODES = [SourceCode("52623", "1")]


def test_25_lists_in_50_slots_register_every_lists_opt_outs_and_name_the_rest():
    plan = callback_plan(lists=LISTS, campaigns=CAMPAIGNS, source_codes=CODES, limit=50)

    assert len(plan.registered) == 50
    assert {w.scope for w in plan.registered if w.callback_type == "subscription_removed"} == set(
        LISTS
    )
    assert plan.uncovered("subscription_removed") == []
    # 25 opt-outs + 2 person + 1 unmatched + 1 event_processed = 29; 21 opt-ins fit.
    assert plan.uncovered("subscription_added") == LISTS[21:]
    assert set(plan.uncovered("ack_participant_added")) == set(CAMPAIGNS)
    assert set(plan.uncovered("ack_participant_changed")) == set(CAMPAIGNS)
    assert [w.callback_type for w in plan.left_out[-2:]] == [
        "subscription_list_added",
        "subscription_list_updated",
    ]
    assert len(plan.registered) + len(plan.left_out) == 25 * 2 + 25 * 2 + 2 + 1 + 1 + 2


def test_the_order_is_opt_outs_then_persons_and_texts_then_opt_ins_then_acks_then_lists():
    plan = callback_plan(
        lists=["1", "2"],
        campaigns=["c"],
        source_codes=CODES + [SourceCode("18005551234", "1")],
        limit=100,
    )
    assert [w.label for w in plan.registered] == [
        "subscription_removed 1",
        "subscription_removed 2",
        "person_added",
        "person_updated",
        "unmatched_message_received 52623:1",
        "unmatched_message_received 18005551234:1",
        "event_processed",
        "subscription_added 1",
        "subscription_added 2",
        "ack_participant_changed c",
        "ack_participant_added c",
        "subscription_list_added",
        "subscription_list_updated",
    ]
    assert plan.left_out == []


def test_fewer_slots_than_lists_leave_the_last_lists_opt_outs_out():
    plan = callback_plan(lists=LISTS, campaigns=[], source_codes=CODES, limit=20)
    assert plan.uncovered("subscription_removed") == LISTS[20:]
    assert all(w.callback_type == "subscription_removed" for w in plan.registered)


def test_no_room_at_all_leaves_everything_out():
    plan = callback_plan(lists=["1"], campaigns=[], source_codes=[], limit=-3)
    assert plan.registered == []
    assert plan.uncovered("subscription_removed") == ["1"]


def test_the_bodies_carry_the_filter_named_after_the_type():
    url = "https://prefs.example.com/callbacks/vibes/t/"
    plan = callback_plan(lists=["7"], campaigns=["9"], source_codes=CODES, limit=50)
    bodies = {w.callback_type: w.body(url) for w in plan.registered}
    assert bodies["subscription_removed"]["subscription_removed"] == {"list_id": "7"}
    assert bodies["ack_participant_changed"]["ack_participant_changed"] == {"campaign_id": "9"}
    assert bodies["unmatched_message_received"]["unmatched_message_received"] == {
        "source_code": "52623",
        "country_code": "1",
    }
    assert bodies["event_processed"]["event_processed"] == {"callbacks_to_send": "all"}
    assert "person_added" not in bodies["person_added"]
    assert bodies["person_added"]["destination"] == {
        "url": url,
        "method": "POST",
        "content_type": "application/json",
    }
    unmatched = next(w for w in plan.registered if w.callback_type == "unmatched_message_received")
    assert unmatched.parent and not Wanted("person_added").parent


def test_duplicate_lists_and_campaigns_are_planned_once():
    plan = callback_plan(lists=["1", "1"], campaigns=["c", "c", ""], source_codes=[], limit=50)
    assert [w.label for w in plan.registered].count("subscription_removed 1") == 1
    assert [w.label for w in plan.registered].count("ack_participant_added c") == 1


def test_source_codes_read_as_code_and_country_code():
    assert parse_source_codes(["52623:1", " 18005551234:+1 ", "", "52623:1"]) == [
        SourceCode("52623", "1"),
        SourceCode("18005551234", "1"),
    ]


@pytest.mark.parametrize("bad", ["52623", "52623:", ":1", "52 623:1", "52623:US", "5:1"])
def test_a_malformed_source_code_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="is not code:country_code"):
        parse_source_codes([bad])
