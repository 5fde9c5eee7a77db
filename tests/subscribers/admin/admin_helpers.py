"""Data and users for the admin tests: Vibes-shaped callbacks, persons with history."""

import json
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import CallbackEvent
from subscribers import custom_values, services
from subscribers.models import CustomField, Person, Source, SubscriptionEvent, SubscriptionList
from subscribers.preferences.evidence import Evidence

MARKETING_MIGRATION = import_module("subscribers.migrations.0002_marketing_group")
COMPLIANCE_MIGRATION = import_module("subscribers.migrations.0007_erasure")
REVOCATION_MIGRATION = import_module("subscribers.migrations.0008_revocation_and_dead_numbers")
#: Every permission the migrations give the Marketing group.
MARKETING_PERMISSIONS = [
    *MARKETING_MIGRATION.PERMISSIONS,
    *(("subscribers", codename) for codename in COMPLIANCE_MIGRATION.MARKETING_PERMISSIONS),
    *REVOCATION_MIGRATION.MARKETING,
]
PASSWORD = "correct horse battery staple 42"
T0 = datetime(2026, 9, 1, 15, 42, 23, tzinfo=UTC)


def ensure_marketing_group() -> Group:
    """The group the data migration made; rebuilt the same way after a transactional
    test has flushed the tables (flush re-creates permissions, not groups)."""
    group, _ = Group.objects.get_or_create(name=MARKETING_MIGRATION.GROUP)
    if not group.permissions.exists():
        for app_label, codename in MARKETING_PERMISSIONS:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


@pytest.fixture
def marketing_user(db):
    user = get_user_model().objects.create_user(
        username="mara", password=PASSWORD, is_staff=True, email="mara@example.com"
    )
    user.groups.add(ensure_marketing_group())
    return user


@pytest.fixture
def marketing_client(client, marketing_user):
    client.force_login(marketing_user)
    return client


@pytest.fixture
def lists(db):
    made = []
    for list_id, name, campaign in (
        ("1234", "Weekly deals", "2342312"),
        ("1235", "Store events", "2342313"),
        ("1236", "Order updates", "2342314"),
    ):
        sub_list, _ = services.subscription_list_upsert(
            list_id=list_id, name=name, acquisition_campaign_id=campaign, is_public=True
        )
        made.append(sub_list)
    return made


def vibes_callback(
    kind: str,
    *,
    event_id: str,
    person: Person,
    sub_list: SubscriptionList,
    when: datetime,
    reason: str = "",
) -> CallbackEvent:
    """A stored callback shaped like Vibes' own (subscription_added / _removed)."""
    subscription = {
        "person": {
            "id": person.vibes_person_id or "",
            "external_id": person.external_person_id or "",
            "person_key": person.person_key or "",
            "url": f"/companies/ABC/mobiledb/persons/{person.person_key}",
            "mobile_phone": {"mdn": person.mdn},
        },
        "subscription_list": {
            "id": sub_list.list_id,
            "url": f"/companies/ABC/mobiledb/subscription_lists/{sub_list.list_id}",
        },
        "opt_in_date": T0.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "acquisition_campaign": {"id": sub_list.acquisition_campaign_id, "url": "/x"},
    }
    if kind == "subscription_removed":
        subscription["opt_out_date"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        subscription["opt_out_reason"] = reason
    payload = {
        "event_id": event_id,
        "callback_type": kind,
        "event_date": when.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "subscription": subscription,
    }
    return CallbackEvent.objects.create(
        method="POST",
        body=json.dumps(payload),
        headers={"Content-Type": "application/json"},
        remote_addr="35.155.139.143",
        callback_type=kind,
        event_id=event_id,
        event_date=when,
        payload=payload,
        dedupe_key=f"{kind}:{event_id}",
        status=CallbackEvent.Status.APPLIED,
        processed_at=when,
        attempts=1,
        person=person,
        mdn=person.mdn,
    )


def person_with_story(lists, *, n: int = 1, first="Ana", last="Garcia") -> Person:
    """A person who joined on the web, was confirmed by Vibes, then texted STOP."""
    person, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(
            person_key=f"pk-{n:04d}",
            vibes_person_id=f"{9000 + n}",
            external_person_id=f"crm-{n:04d}",
            mdn=f"+1415555{n:04d}",
        ),
        source=Source.IMPORT,
        occurred_at=T0 - timedelta(days=30),
        custom_fields={"first_name": first, "last_name": last},
    )
    weekly, events = lists[0], lists[1]
    services.subscription_request(
        person=person,
        subscription_list=weekly,
        source=Source.PREFERENCE_PAGE,
        occurred_at=T0,
        acquisition_campaign_id=weekly.acquisition_campaign_id,
        evidence=Evidence(
            ip_address="203.0.113.9",
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)",
            page="/preferences/abc/",
            wording="Yes, text me weekly deals. Msg&data rates may apply. Reply STOP to end.",
        ),
    )
    added = vibes_callback(
        "subscription_added",
        event_id=f"ADD{n:04d}",
        person=person,
        sub_list=weekly,
        when=T0 + timedelta(minutes=3),
    )
    services.subscription_activate(
        person=person,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(minutes=3),
        opt_in_date=T0 + timedelta(minutes=3),
        acquisition_campaign_id=weekly.acquisition_campaign_id,
        callback=added,
    )
    services.subscription_activate(
        person=person,
        subscription_list=events,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(days=1),
    )
    removed = vibes_callback(
        "subscription_removed",
        event_id=f"AB234SDFD{n:04d}",
        person=person,
        sub_list=weekly,
        when=T0 + timedelta(days=2),
        reason="keyword_opt_out",
    )
    services.subscription_cancel(
        person=person,
        subscription_list=weekly,
        source=Source.VIBES_CALLBACK,
        occurred_at=T0 + timedelta(days=2),
        opt_out_reason="keyword_opt_out",
        callback=removed,
    )
    return person


def add_history(person: Person, sub_list: SubscriptionList, count: int) -> None:
    """Many plain history rows at once (the history is append-only; inserting is allowed)."""
    SubscriptionEvent.objects.bulk_create(
        [
            SubscriptionEvent(
                person=person,
                subscription_list=sub_list,
                kind=(
                    SubscriptionEvent.Kind.OPTED_IN if i % 2 else SubscriptionEvent.Kind.OPTED_OUT
                ),
                source=Source.RECONCILE,
                occurred_at=T0 - timedelta(hours=i + 1),
                superseded=True,
                note=f"bulk {i}",
            )
            for i in range(count)
        ],
        batch_size=500,
    )


def query_count(client, url: str) -> tuple[int, object]:
    """Queries one request runs, from a cold content-type cache so that runs compare."""
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


def browser_login(page, live_server, user) -> None:
    """Log ``user`` in on the admin's login page in a browser."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def change_url(person):
    return f"/admin/subscribers/person/{person.pk}/change/"


def edit(client, person, **changes):
    """Post the person's change form as staff would, with ``changes`` typed in."""
    data = {
        "mdn": person.mdn,
        "external_person_id": person.external_person_id or "",
        "carrier_code": person.carrier_code,
        "timezone": person.timezone,
        **custom_field_inputs(person),
        "subscriptions-TOTAL_FORMS": "0",
        "subscriptions-INITIAL_FORMS": "0",
        **changes,
    }
    return client.post(change_url(person), data, follow=True)


def custom_field_inputs(person) -> dict:
    """The typed custom field inputs as the change form fills them (``cf_<key>``)."""
    stored = person.custom_fields or {}
    return {
        f"cf_{f.key}": custom_values.initial_value(f, stored.get(f.key))
        for f in CustomField.objects.all()
    }


def log_in_as_superuser(page, base_url: str, username: str = "sam") -> None:
    """A new superuser, signed in to the admin in the browser ``page``."""
    get_user_model().objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
