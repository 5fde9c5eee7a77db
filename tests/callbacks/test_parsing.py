from datetime import UTC, datetime

import pytest

from callbacks.parsing import Rejected, parse_event, parse_timestamp, resolve_type

from .conftest import ack_event, seed_payload


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-02-15T15:42:23Z", datetime(2017, 2, 15, 15, 42, 23, tzinfo=UTC)),
        ("2017-02-18T15:34:52+0000", datetime(2017, 2, 18, 15, 34, 52, tzinfo=UTC)),
        ("2018-07-09T23:55:00.000Z", datetime(2018, 7, 9, 23, 55, tzinfo=UTC)),
        ("2017-01-15T14:30Z", datetime(2017, 1, 15, 14, 30, tzinfo=UTC)),
        ("2017-01-15T14:30:00+00:00", datetime(2017, 1, 15, 14, 30, tzinfo=UTC)),
        ("2017-01-15t14:30:00z", datetime(2017, 1, 15, 14, 30, tzinfo=UTC)),
        ("2017-04-05 14:30:00 -0600", datetime(2017, 4, 5, 20, 30, tzinfo=UTC)),
        ("2017-04-05T14:30:00.123456789+05:30", datetime(2017, 4, 5, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2017-04-05", datetime(2017, 4, 5, tzinfo=UTC)),
        ("2017-04-05T14:30:00", datetime(2017, 4, 5, 14, 30, tzinfo=UTC)),
        (1486917743, datetime(2017, 2, 12, 16, 42, 23, tzinfo=UTC)),
        (1486917743000, datetime(2017, 2, 12, 16, 42, 23, tzinfo=UTC)),
    ],
)
def test_every_timestamp_form_vibes_uses_is_read_as_utc(raw, expected):
    assert parse_timestamp(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", None, "yesterday", "2017-13-45T99:99:99Z", {"date": 1}, True, 1e30]
)
def test_empty_or_unreadable_timestamps_are_none_not_errors(raw):
    assert parse_timestamp(raw) is None


def test_the_seeds_first_example_is_rejected_as_not_json():
    with pytest.raises(Rejected, match="not valid JSON"):
        parse_event(seed_payload("subscription_added").decode())


def test_the_seeds_second_example_parses_with_its_older_field_names():
    event = parse_event(seed_payload("subscription_removed").decode())
    assert event.callback_type == "subscription_removed"
    assert event.event_id == "AB234SDFD234"
    assert event.dedupe_key == "subscription_removed:AB234SDFD234"
    assert event.callback_id == "DEF124"
    assert event.delivery_attempt == 1
    assert event.event_date == datetime(2017, 3, 15, 15, 42, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"event_id": "1"}', "event type"),
        ('{"callback_type": "person_added"}', "event_id"),
        ('{"callback_type": "", "event_id": ""}', "event type (callback_type or event_type) and"),
        ("[1, 2]", "not an object"),
        ('"just a string"', "not an object"),
        ("", "empty"),
        ('{"event_id": "1", "callback_type": "person_added",}', "not valid JSON"),
        ('{"event_id": "1" // deprecated\n}', "not valid JSON"),
        ("[" * 100000, "not valid JSON"),
    ],
)
def test_a_body_lacking_what_every_event_needs_is_rejected_with_the_reason(body, reason):
    with pytest.raises(Rejected, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_event(body)


def test_newer_callback_type_wins_over_older_event_type_and_is_lower_cased():
    event = parse_event('{"callback_type": "Person_Updated", "event_type": "x", "event_id": 7}')
    assert (event.callback_type, event.event_id) == ("person_updated", "7")


def test_missing_or_odd_delivery_attempt_and_callback_id_are_tolerated():
    event = parse_event('{"event_type": "person_added", "event_id": "e", "delivery_attempt": "x"}')
    assert event.delivery_attempt is None and event.callback_id == ""
    event = parse_event('{"event_type": "person_added", "event_id": "e", "delivery_attempt": 3}')
    assert event.delivery_attempt == 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("PENDING", "ack_participant_added"),
        ("confirmed", "ack_participant_changed"),
        ("REJECTED", "ack_participant_changed"),
    ],
)
def test_ack_types_that_disagree_fall_back_on_the_participant_status(status, expected):
    body = ack_event(status, callback_type="ack_participant_added")
    body["event_type"] = "ack_participant_changed"
    assert resolve_type(body) == expected


def test_nul_characters_are_replaced_so_postgresql_can_store_them():
    event = parse_event('{"event_type": "person_added", "event_id": "a\\u0000b", "x\\u0000": 1}')
    assert event.event_id == "a\ufffdb"
    assert "x\ufffd" in event.payload
