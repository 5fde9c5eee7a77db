import pytest

from callbacks.models import CallbackEvent
from subscribers import services

from .conftest import seed_payload, subscription_event

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/callbacks/callbackevent/"


def test_the_list_filters_by_type_status_and_date(admin_client, deliver, post):
    deliver(subscription_event())
    post(seed_payload("subscription_added"))
    page = admin_client.get(CHANGELIST, {"status__exact": "rejected"})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset.values_list("status", flat=True)) == ["rejected"]
    page = admin_client.get(CHANGELIST, {"callback_type__exact": "subscription_added"})
    assert page.context["cl"].queryset.count() == 1
    page = admin_client.get(CHANGELIST, {"received_at__gte": "2000-01-01 00:00:00+00:00"})
    assert page.context["cl"].queryset.count() == 2


@pytest.mark.parametrize("term", ["EVT-1", "+12995551234", "(299) 555-1234", "pk-ABC123", "ex1234"])
def test_search_finds_callbacks_by_event_id_number_and_person(admin_client, deliver, term):
    deliver(subscription_event())
    deliver(subscription_event(event_id="OTHER", person={"id": "ZZZ", "external_id": "zz"}))
    page = admin_client.get(CHANGELIST, {"q": term})
    assert list(page.context["cl"].queryset.values_list("event_id", flat=True)) == ["EVT-1"]


def test_the_detail_shows_the_body_pretty_printed_and_escaped_and_links_the_person(
    admin_client, deliver
):
    deliver(subscription_event(note="<script>alert(1)</script>"))
    event = CallbackEvent.objects.get()
    page = admin_client.get(f"{CHANGELIST}{event.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\n  &quot;event_id&quot;: &quot;EVT-1&quot;" in html
    assert f"/admin/subscribers/person/{event.person_id}/change/" in html
    assert "+1 ••• ••• 1234" in html  # masked outside the raw body
    assert 'value="Save"' not in html


def test_a_malformed_body_is_shown_as_received(admin_client, post):
    post(seed_payload("subscription_added"))
    event = CallbackEvent.objects.get()
    html = admin_client.get(f"{CHANGELIST}{event.pk}/change/").content.decode()
    assert "&quot;callback:id&quot;,&quot;DEF123&quot;" in html
    assert "not valid JSON" in html


def test_callbacks_cannot_be_added_changed_or_deleted_by_anyone(admin_client, deliver):
    deliver(subscription_event())
    event = CallbackEvent.objects.get()
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{event.pk}/delete/").status_code == 403


def test_the_replay_action_applies_selected_failed_events_and_skips_final_ones(
    admin_client, deliver, monkeypatch, settings
):
    settings.CALLBACK_APPLY_BATCH = 0  # the failure comes from the handler's service
    monkeypatch.setattr(services, "subscription_activate", lambda **kw: 1 / 0)
    deliver(subscription_event(event_id="E1"))
    monkeypatch.undo()
    deliver(subscription_event(event_id="E2", person={"id": "OTHER"}))
    failed = CallbackEvent.objects.get(event_id="E1")
    applied = CallbackEvent.objects.get(event_id="E2")
    assert failed.status == "failed"
    response = admin_client.post(
        CHANGELIST,
        {"action": "replay", "_selected_action": [failed.pk, applied.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Replayed: 1 applied." in text
    assert "1 skipped" in text
    failed.refresh_from_db()
    assert failed.status == "applied" and failed.attempts == 2


def test_search_keeps_the_filters_chosen(admin_client, deliver, post):
    deliver(subscription_event())
    deliver(subscription_event())  # a duplicate with the same event id
    page = admin_client.get(CHANGELIST, {"q": "EVT-1", "status__exact": "duplicate"})
    assert list(page.context["cl"].queryset.values_list("status", flat=True)) == ["duplicate"]
