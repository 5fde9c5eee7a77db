import logging

import pytest

from subscribers.vibes import errors
from subscribers.vibes.client import VibesClient
from subscribers.vibes.ratelimit import LocalRateLimiter, RateLimit
from tests.subscribers.outbox.push_fixtures import add_person, calls

MDN = "+12995551234"


@pytest.fixture
def fake(vibes_simulator):
    return vibes_simulator


@pytest.fixture
def client(fake):
    return VibesClient(
        base_url=fake.url,
        company_key=fake.credentials.company_key,
        username=fake.credentials.username,
        password=fake.credentials.password,
        timeout=(0.5, 0.5),
        rate_limit=RateLimit(LocalRateLimiter(1000)),
    )


def test_sends_basic_auth_version_2_json_and_a_user_agent(client, fake):
    add_person(fake, person_key="k1")
    client.get_person("k1")
    headers = calls(fake)[0].headers
    assert headers["Authorization"].startswith("Basic ")
    assert headers["X-API-Version"] == "2"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("vibes-preference-center/")


def test_plus_in_a_query_string_travels_as_percent_2b(client, fake):
    add_person(fake, person_key="k1", mdn=MDN)
    assert client.find_person_by_mdn(MDN)["person_key"] == "k1"
    assert calls(fake)[0].query == "mdn=%2B12995551234"


def test_find_by_number_accepts_a_list_answer(client, fake):
    fake.add_fault("status", method="GET", status=200, body=[{"person_key": "k9"}])
    assert client.find_person_by_mdn(MDN)["person_key"] == "k9"
    fake.add_fault("status", method="GET", status=200, body=[])
    with pytest.raises(errors.NotFound):
        client.find_person_by_mdn(MDN)


def test_404_without_a_body_is_not_found(client, fake):
    with pytest.raises(errors.NotFound) as info:
        client.get_person("nobody")
    assert info.value.status == 404


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda c: c.update_person({"mobile_phone": {"mdn": MDN}}, person_key="k"),
            errors.MdnCannotChange,
        ),
        (lambda c: c.add_person({"mobile_phone": {"mdn": MDN}}), errors.MdnBelongsToAnotherPerson),
        (
            lambda c: c.add_participant("2342312", {"mobile_phone": {"mdn": MDN}}),
            errors.AlreadySubscribed,
        ),
    ],
)
def test_a_bare_409_means_what_the_operation_implies(client, fake, call, expected):
    fake.add_fault("status", method="PUT", status=409, raw="")
    fake.add_fault("status", method="POST", status=409, raw="")
    with pytest.raises(expected) as info:
        call(client)
    assert isinstance(info.value, errors.Conflict)


def test_409_message_mdn_cannot_be_changed_is_recognised(client, fake):
    message = {"errors": [{"message": "MDN cannot be changed", "code": 409}]}
    fake.add_fault("status", method="POST", status=409, body=message)
    with pytest.raises(errors.MdnCannotChange) as info:
        client.add_person({"mobile_phone": {"mdn": MDN}})
    assert info.value.reason == "mdn_cannot_change"
    assert "MDN cannot be changed" in str(info.value)


def test_422_confirmation_block_and_other_422_are_told_apart(client, fake):
    fake.add_fault(
        "status",
        path="participants",
        status=422,
        body={"errors": [{"message": "MDNHASCONFIRMATIONBLOCK", "code": 422}]},
    )
    with pytest.raises(errors.ConfirmationBlocked):
        client.add_participant("2342312", {"mobile_phone": {"mdn": MDN}})
    fake.add_fault(
        "status",
        path="participants",
        status=422,
        body={"errors": [{"message": "EXTERNALPERSONIDMISMATCH", "code": 422}]},
    )
    with pytest.raises(errors.Unprocessable) as info:
        client.add_participant("2342312", {"mobile_phone": {"mdn": MDN}})
    assert not isinstance(info.value, errors.ConfirmationBlocked)


def test_429_is_rate_limited_with_retry_after_and_pauses_every_caller(client, fake):
    fake.add_fault("status", method="GET", status=429, retry_after="2", raw="")
    with pytest.raises(errors.RateLimited) as info:
        client.get_person("k")
    assert info.value.retry_after == 2.0
    assert info.value.retryable
    # The shared limiter now holds every caller back by at least Retry-After.
    assert client.rate_limit.backend.reserve() >= 1.9


def test_429_without_retry_after_still_slows_down(client, fake):
    fake.add_fault("status", method="GET", status=429, raw="not json at all")
    with pytest.raises(errors.RateLimited) as info:
        client.get_person("k")
    assert info.value.retry_after is None
    assert client.rate_limit.backend.reserve() > 0.5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient(client, fake, status):
    fake.add_fault("status", method="GET", status=status, raw="<html>oops</html>")
    with pytest.raises(errors.Transient) as info:
        client.get_person("k")
    assert info.value.retryable


def test_a_read_timeout_is_transient(client, fake):
    fake.add_fault("timeout", method="GET", seconds=1.5)
    with pytest.raises(errors.Transient, match="timeout"):
        client.get_person("k")


def test_a_refused_connection_is_transient(client, fake):
    fake.stop()
    with pytest.raises(errors.Transient, match="connection"):
        client.get_person("k")


def test_add_participant_reads_status_case_insensitively(client, fake):
    fake.add_fault(
        "status",
        path="participants",
        status=201,
        body={"person": {"person_key": "pk1", "person_id": 77}, "status": "subscribed"},
    )
    result = client.add_participant("2342312", {"mobile_phone": {"mdn": MDN}})
    assert result.subscribed and result.person_key == "pk1" and result.person_id == "77"
    fake.add_fault("status", path="participants", status=200, raw="")
    assert client.add_participant("2342312", {"mobile_phone": {"mdn": MDN}}).status == "PENDING"


def test_numbers_never_appear_whole_in_logs(client, fake, caplog):
    body = {"errors": [{"message": f"Invalid MDN format {MDN}"}]}
    fake.add_fault("status", method="GET", status=400, body=body)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(errors.BadRequest) as info:
        client.find_person_by_mdn(MDN)
    assert "5551234" not in caplog.text and "1234" in caplog.text
    assert MDN not in str(info.value)
