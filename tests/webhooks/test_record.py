"""Webhook events are recorded with the history rows that explain them, in the same
transaction, for the endpoints that want them, with no personal data beyond the need."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from subscribers import services
from subscribers.models import Source, SubscriptionList
from subscribers.services.bulk import BulkChanges
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

MDN = "+14155550132"


@pytest.fixture
def weekly(db):
    return SubscriptionList.objects.create(
        list_id="1234", name="Weekly", acquisition_campaign_id="c"
    )


def types():
    return list(WebhookEvent.objects.order_by("id").values_list("event_type", flat=True))


def test_nothing_is_recorded_without_an_endpoint(weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.subscription_request(person=person, subscription_list=weekly, source=Source.ADMIN)
    assert not WebhookEvent.objects.exists()


def test_each_change_makes_its_event_with_its_own_id_and_a_delivery(endpoint, weekly, text_fields):
    person = services.person_create(source=Source.ADMIN, mdn=MDN, external_person_id="crm-1")
    services.subscription_request(person=person, subscription_list=weekly, source=Source.ADMIN)
    services.subscription_activate(
        person=person, subscription_list=weekly, source=Source.VIBES_CALLBACK
    )
    services.person_update(person=person, source=Source.ADMIN, custom_fields={"city": "Lima"})
    services.person_update(person=person, source=Source.ADMIN, mdn="+14155550199")
    services.subscription_cancel(
        person=person, subscription_list=weekly, source=Source.API, opt_out_reason="complaint"
    )
    assert types() == [
        "person.updated",
        "subscription.pending",
        "subscription.opted_in",
        "person.updated",
        "person.number_changed",
        "subscription.opted_out",
    ]
    events = list(WebhookEvent.objects.order_by("id"))
    assert len({e.msg_id for e in events}) == 6
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 6
    updated = events[3].payload["data"]
    assert updated["fields"] == ["custom_fields.city"]
    assert "Lima" not in str(events[3].payload)  # names of fields, not their values
    assert events[4].payload["data"]["person"] == {"external_id": "crm-1", "mdn": "+14155550199"}
    assert events[4].payload["data"]["previous_mdn"] == MDN
    out = events[5].payload
    assert out["type"] == "subscription.opted_out"
    assert out["data"]["list"] == "1234" and out["data"]["reason"] == "complaint"
    assert out["data"]["source"] == "api"


def test_an_endpoint_gets_only_the_types_it_asked_for(endpoint, weekly):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(event_types=["subscription.opted_out"])
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.subscription_request(person=person, subscription_list=weekly, source=Source.ADMIN)
    services.subscription_cancel(person=person, subscription_list=weekly, source=Source.ADMIN)
    assert types() == ["subscription.opted_out"]


def test_events_are_recorded_in_the_changes_transaction(endpoint, weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    before = WebhookEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.subscription_request(person=person, subscription_list=weekly, source=Source.ADMIN)
        assert WebhookEvent.objects.count() == before + 1
        raise RuntimeError("the change fails")
    assert WebhookEvent.objects.count() == before


def test_a_superseded_change_makes_no_event(endpoint, weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.subscription_activate(
        person=person,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    before = WebhookEvent.objects.count()
    services.subscription_cancel(
        person=person,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert WebhookEvent.objects.count() == before


def test_an_erasure_leaves_no_number_in_any_event_of_the_person(endpoint, weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN, external_person_id="crm-7")
    services.subscription_activate(person=person, subscription_list=weekly, source=Source.ADMIN)
    services.person_erase(person=person)
    assert types()[-2:] == ["subscription.opted_out", "person.erased"]
    erased = WebhookEvent.objects.get(event_type="person.erased").payload["data"]
    assert erased["person"] == {"external_id": "crm-7"}
    for event in WebhookEvent.objects.all():
        assert MDN not in str(event.payload) and "mdn" not in event.payload["data"]["person"]


def test_the_batch_path_records_events_too(endpoint, weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    changes = BulkChanges(source=Source.VIBES_CALLBACK)
    changes.subscription_set_state(
        person=person,
        subscription_list=weekly,
        sub=None,
        previous_kind=None,
        status="opted_out",
        kind="opted_out",
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        opt_out_reason="user_opt_out",
    )
    changes.write()
    assert types()[-1] == "subscription.opted_out"


def test_without_endpoints_a_history_row_costs_no_query(weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.person_update(person=person, source=Source.ADMIN, timezone="UTC")  # warms the cache
    before = CaptureQueriesContext(connection)
    with before:
        services.person_update(person=person, source=Source.ADMIN, timezone="America/Lima")
    assert not [q for q in before.captured_queries if "webhooks_" in q["sql"]]


def test_a_new_endpoint_is_seen_at_once_in_this_process(weekly):
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.subscription_request(person=person, subscription_list=weekly, source=Source.ADMIN)
    WebhookEndpoint.objects.create(url="https://x.example/", event_types=["subscription.opted_out"])
    services.subscription_cancel(person=person, subscription_list=weekly, source=Source.ADMIN)
    assert types() == ["subscription.opted_out"]
