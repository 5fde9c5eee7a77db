import json

import pytest

from callbacks.models import CallbackEvent
from subscribers.models import Person, Subscription, SubscriptionEvent

from .conftest import OLD_TOKEN, TOKEN, URL, seed_payload, subscription_event

pytestmark = pytest.mark.django_db


def test_the_seeds_malformed_example_is_answered_400_and_kept_for_staff(post):
    body = seed_payload("subscription_added")
    response = post(body)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    event = CallbackEvent.objects.get()
    assert event.status == "rejected"
    assert event.body == body.decode()
    assert "not valid JSON" in event.error
    assert response.json()["id"] == event.pk


def test_the_seeds_second_example_is_stored_then_applied(deliver, kicks):
    response = deliver(seed_payload("subscription_removed"))
    assert response.status_code == 200
    assert kicks == [1]
    event = CallbackEvent.objects.get()
    assert event.status == "applied", event.error
    assert event.dedupe_key == "subscription_removed:AB234SDFD234"
    assert event.person.vibes_person_id == "ABC123"
    assert event.person.external_person_id == "ex1234"
    sub = Subscription.objects.get()
    assert sub.status == "opted_out" and sub.opt_out_reason == "user_opt_out"
    assert sub.subscription_list.list_id == "1234"
    assert SubscriptionEvent.objects.filter(callback=event, kind="opted_out").count() == 1


def test_an_event_is_stored_with_headers_address_and_parsed_fields_before_it_is_applied(post):
    response = post(
        subscription_event(),
        HTTP_USER_AGENT="Vibes/1.0",
        HTTP_COOKIE="session=secret",
        HTTP_AUTHORIZATION="Basic c2VjcmV0",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    event = CallbackEvent.objects.get()
    assert event.method == "POST"
    assert event.remote_addr == "127.0.0.1"
    assert event.headers["User-Agent"] == "Vibes/1.0"
    assert event.headers["Content-Type"] == "application/json"
    assert not {"Cookie", "Authorization"} & set(event.headers)
    assert event.callback_type == "subscription_added" and event.event_id == "EVT-1"
    assert event.mdn == "+12995551234"
    assert event.status == "received"


def test_put_is_accepted_like_post_and_get_is_not(post):
    assert post(subscription_event(), method="put").status_code == 200
    assert CallbackEvent.objects.get().method == "PUT"
    assert post("", method="get").status_code == 405


def test_a_previous_token_still_works_while_tokens_are_rotated(post):
    assert post(subscription_event(), url=f"/callbacks/vibes/{OLD_TOKEN}/").status_code == 200


@pytest.mark.parametrize("token", ["wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper()])
def test_an_unknown_token_is_404_and_nothing_is_written(post, token):
    response = post(subscription_event(), url=f"/callbacks/vibes/{token}/")
    assert response.status_code == 404
    assert not CallbackEvent.objects.exists() and not Person.objects.exists()


def test_no_configured_token_means_every_callback_is_404(post, settings):
    settings.CALLBACK_TOKENS = []
    assert post(subscription_event()).status_code == 404
    assert not CallbackEvent.objects.exists()


def test_a_source_outside_the_allowlist_is_403_and_nothing_is_written(post, settings):
    settings.CALLBACK_ALLOWED_IPS = ["35.155.139.143/32", "52.32.61.0/24"]
    response = post(subscription_event(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert not CallbackEvent.objects.exists()
    assert post(subscription_event(), REMOTE_ADDR="52.32.61.199").status_code == 200
    assert CallbackEvent.objects.get().remote_addr == "52.32.61.199"


def test_x_forwarded_for_cannot_spoof_the_allowlist_without_trusted_proxies(post, settings):
    settings.CALLBACK_ALLOWED_IPS = ["35.155.139.143/32"]
    response = post(
        subscription_event(), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="35.155.139.143"
    )
    assert response.status_code == 403
    assert not CallbackEvent.objects.exists()


def test_behind_one_proxy_only_the_hop_it_appended_counts(post, settings):
    settings.CALLBACK_ALLOWED_IPS = ["35.155.139.143/32"]
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the allowed address itself; our proxy appended the real one.
    spoofed = post(
        subscription_event(),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="35.155.139.143, 203.0.113.9",
    )
    assert spoofed.status_code == 403
    assert not CallbackEvent.objects.exists()
    genuine = post(
        subscription_event(), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="35.155.139.143"
    )
    assert genuine.status_code == 200
    assert CallbackEvent.objects.get().remote_addr == "35.155.139.143"


def test_a_garbage_forwarded_address_is_refused_not_crashed_on(post, settings):
    settings.CALLBACK_ALLOWED_IPS = ["35.155.139.143/32"]
    settings.TRUSTED_PROXY_COUNT = 1
    response = post(subscription_event(), HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 403
    settings.CALLBACK_ALLOWED_IPS = []
    assert post(subscription_event(), HTTP_X_FORWARDED_FOR="not-an-address").status_code == 200
    assert CallbackEvent.objects.get().remote_addr is None


def test_an_oversize_body_is_413_and_recorded_without_its_body(post, settings):
    settings.CALLBACK_MAX_BODY_BYTES = 1000
    body = subscription_event(padding="x" * 2000)
    response = post(body)
    assert response.status_code == 413
    event = CallbackEvent.objects.get()
    assert event.status == "rejected" and event.body == "" and "1000 bytes" in event.error


def test_a_body_longer_than_its_content_length_claims_is_cut_at_the_limit(settings):
    from io import BytesIO

    from django.test import RequestFactory

    from callbacks.views import VibesCallbackView

    settings.CALLBACK_MAX_BODY_BYTES = 1000
    request = RequestFactory().post(URL, data=b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "5000"
    request._stream = BytesIO(b"{" * 5000)
    response = VibesCallbackView.as_view()(request, token=TOKEN)
    assert response.status_code == 413


def test_an_exactly_limit_sized_body_is_accepted(post, settings):
    body = json.dumps(subscription_event())
    settings.CALLBACK_MAX_BODY_BYTES = len(body.encode())
    assert post(body).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/json",
        "application/json; charset=utf-8",
        "text/json;charset=UTF-8",
        "Application/JSON",
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
    ],
)
def test_json_is_read_whatever_content_type_vibes_declares(post, content_type):
    """The registration offers only application/json and text/json, but a 4xx would lose
    the event for good (Vibes never retries one), so the body decides, not the header."""
    assert post(subscription_event(), content_type=content_type).status_code == 200
    assert CallbackEvent.objects.get().status == "received"


def test_a_declared_charset_is_honoured(post):
    body = json.dumps(subscription_event(note="Müller"), ensure_ascii=False)  # sent as latin-1
    assert post(body, content_type="application/json; charset=ISO-8859-1").status_code == 200
    assert CallbackEvent.objects.get().payload["subscription"]["note"] == "Müller"


def test_an_unknown_type_is_stored_as_ignored_and_answered_200(deliver):
    response = deliver(
        {"callback_type": "push_device_updated", "event_id": "m1", "device": {"id": "e-1"}}
    )
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert CallbackEvent.objects.get().status == "ignored"


def test_a_repeat_is_stored_as_duplicate_and_changes_nothing(deliver):
    body = subscription_event()
    assert deliver(body).status_code == 200
    history = SubscriptionEvent.objects.count()
    again = deliver(body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    statuses = sorted(CallbackEvent.objects.values_list("status", "dedupe_key"))
    assert statuses == [("applied", "subscription_added:EVT-1"), ("duplicate", None)]
    assert SubscriptionEvent.objects.count() == history
    assert Person.objects.count() == 1


def test_the_same_event_id_with_another_type_is_not_a_duplicate(deliver):
    deliver(subscription_event(event_id="AB234SDFD234"))
    deliver(subscription_event("subscription_removed", event_id="AB234SDFD234"))
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}


def test_a_malformed_allowlist_entry_is_a_system_check_error(settings):
    from callbacks.checks import check_callback_allowed_ips

    settings.CALLBACK_ALLOWED_IPS = ["35.155.139.143/32", "not-a-network"]
    assert [e.id for e in check_callback_allowed_ips(None)] == ["callbacks.E001"]


@pytest.mark.parametrize("depth", [500, 990, 5000])
@pytest.mark.parametrize("leaf", ["1", '"\\u0000"'])
def test_deeply_nested_json_is_stored_or_rejected_never_crashes(post, depth, leaf):
    nested = "[" * depth + leaf + "]" * depth
    body = '{"callback_type": "person_added", "event_id": "deep", "x": ' + nested + "}"
    assert post(body).status_code in (200, 400)
    assert CallbackEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-02-15T15:42:23Z", "2017-02-15T15:42:23+00:00"),
        ("2017-02-18T15:34:52+0000", "2017-02-18T15:34:52+00:00"),
        ("2018-07-09T23:55:00.000Z", "2018-07-09T23:55:00+00:00"),
        ("2017-01-15T14:30Z", "2017-01-15T14:30:00+00:00"),
        ("2017-01-15T14:30:00+00:00", "2017-01-15T14:30:00+00:00"),
        ("2017-01-15T14:30:00z", "2017-01-15T14:30:00+00:00"),
        ("2017-04-05 14:30:00 -0600", "2017-04-05T20:30:00+00:00"),
        ("", None),
    ],
)
def test_each_timestamp_form_is_stored_as_utc_and_orders_the_event(deliver, raw, expected):
    deliver(subscription_event(event_date=raw))
    event = CallbackEvent.objects.get()
    assert event.status == "applied"
    stored = event.event_date.isoformat() if event.event_date else None
    assert stored == expected
    last = Subscription.objects.get().last_event_at.isoformat()
    assert last == (expected or "2017-01-15T15:34:52+00:00")  # else the opt-in date


@pytest.mark.parametrize(
    ("remote", "stored"),
    [("unix:/run/gunicorn.sock", None), ("", None), ("::ffff:52.32.61.199", "52.32.61.199")],
)
def test_an_odd_socket_address_is_stored_as_none_or_normalised(post, remote, stored):
    assert post(subscription_event(), REMOTE_ADDR=remote).status_code == 200
    assert CallbackEvent.objects.get().remote_addr == stored


def test_an_ipv4_mapped_address_matches_an_ipv4_allowlist(post, settings):
    settings.CALLBACK_ALLOWED_IPS = ["52.32.61.199/32"]
    assert post(subscription_event(), REMOTE_ADDR="::ffff:52.32.61.199").status_code == 200
