"""Applying a backlog in batches ends with exactly the rows applying it one event at a time
through the handlers leaves, in every table of both apps, for random streams of mixed,
repeated, reordered and odd events."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from callbacks.parsing import mdn_of, parse_event, person_of
from callbacks.store import event_store
from subscribers import services, suppression
from subscribers.models import (
    DEAD_NUMBER_REASONS,
    CustomField,
    Person,
    Source,
    Subscription,
    SubscriptionEvent,
    SubscriptionList,
)
from subscribers.reasons import OTHER_REASONS

from .conftest import ack_event, person_event, subscription_event

pytestmark = pytest.mark.django_db

T0 = datetime(2017, 2, 1, tzinfo=UTC)

# Three persons as Vibes names them, in the drifting shapes of its payloads.
PEOPLE = [
    {"key": "pk-A", "id": "A", "mdn": "+12995550001", "ext": "ex-A"},
    {"key": "pk-B", "id": "B", "mdn": "+12995550002", "ext": None},
    {"key": "pk-C", "id": "C", "mdn": "+12995550003", "ext": "ex-C"},  # asked for a new number
    {"key": "pk-D", "id": "D", "mdn": "+12995550004", "ext": None},  # an erased number
    {"key": "pk-E", "id": "E", "mdn": "+12995550005", "ext": "ex-E"},  # its number died
]
NEW_NUMBER = "+12995550099"
DATE_SHAPES = [
    "{:%Y-%m-%dT%H:%M:%SZ}",
    "{:%Y-%m-%dT%H:%M:%S+0000}",
    "{:%Y-%m-%dT%H:%M:%S.000Z}",
    "{:%Y-%m-%dT%H:%Mz}",
    "{:%Y-%m-%d %H:%M:%S -0000}",
    "",
]


SHAPES = ["new", "old", "number", "national", "other_number"]
# Opt-out reasons from the product's own sets (a reason added there is drawn here too),
# none, and one Vibes may add some day (docs/vibes.md: more may come).
REASONS = sorted(DEAD_NUMBER_REASONS | set(OTHER_REASONS)) + ["", "reason_added_later"]


@st.composite
def person_object(draw, who, shapes=SHAPES):
    shape = draw(st.sampled_from(shapes))
    if shape == "new":
        return {"id": who["id"], "person_key": who["key"], "mobile_phone": {"mdn": who["mdn"]}}
    if shape == "old":  # older payloads: no person_key, no mobile_phone
        return {"person_id": who["id"], "external_id": who["ext"]}
    if shape == "number":
        return {"mdn": who["mdn"]}
    if shape == "national":
        return {"id": who["id"], "mobile_phone": {"mdn": who["mdn"][2:5] + "-" + who["mdn"][5:]}}
    return {"person_key": who["key"], "mobile_phone": {"mdn": NEW_NUMBER}}


def when(draw, minute):
    return draw(st.sampled_from(DATE_SHAPES)).format(T0 + timedelta(minutes=minute))


@st.composite
def event_body(draw, n, unique=False):
    shapes = ["new"] if unique else SHAPES
    who = draw(st.sampled_from(PEOPLE))
    kind = draw(
        st.sampled_from(
            ["subscription_added"] * 3
            + ["subscription_removed"] * 3
            + ["person_updated", "person_added", "ack", "subscription_list_updated"]
        )
    )
    minute = draw(st.integers(0, 50)) + (n * 100 if unique else 0)
    if kind.startswith("subscription_"):
        extra = {"opt_in_date": when(draw, minute if unique else draw(st.integers(0, 50)))}
        if kind == "subscription_removed":
            extra["opt_out_date"] = when(draw, minute)
            extra["opt_out_reason"] = draw(st.sampled_from(REASONS))
        if kind != "subscription_list_updated":
            body = subscription_event(
                kind,
                event_id=f"E{n}",
                event_date=when(draw, minute),
                person=draw(person_object(who, shapes)),
                list_id=draw(st.sampled_from(["L1", "L2", ""])),
                **extra,
            )
            return body
        return {"event_id": f"E{n}", "callback_type": kind, "subscription_list": {"id": "L1"}}
    if kind == "ack":
        return ack_event(draw(st.sampled_from(["PENDING", "CONFIRMED"])), event_id=f"E{n}")
    person = draw(person_object(who, shapes))
    fields = {
        "custom_fields": draw(
            st.sampled_from([{"first_name": "Al"}, {"first_name": None}, {"tier": "gold"}])
        ),
        "updated_at": when(draw, draw(st.integers(0, 50))),
        "timezone": draw(st.sampled_from(["America/Chicago", "Europe/Paris"])),
    }
    body = person_event(kind, event_id=f"E{n}", **fields)
    body["person"] = {**{k: v for k, v in body["person"].items() if k in fields}, **person}
    body["event_date"] = when(draw, minute)
    return body


@st.composite
def streams(draw, unique=False):
    """Bodies to deliver and a batch size. ``unique``: no two events share a date, and
    each names its person by key and number (events naming one person in different ways,
    or the number a person asked to switch to, can resolve to different rows in another
    order, whichever path applies them)."""
    bodies = [draw(event_body(n, unique)) for n in range(draw(st.integers(1, 14)))]
    for body in draw(st.lists(st.sampled_from(bodies), max_size=4)):
        bodies.insert(draw(st.integers(0, len(bodies))), body)  # repeats, anywhere
    return bodies, draw(st.sampled_from([1, 2, 5, 500]))


def seed():
    """A subscriber who edited her name here after Vibes' last update, and one who asked
    to switch to a new number (through the services, as the pages do)."""
    CustomField.objects.get_or_create(key="first_name", defaults={"label": "First name"})
    a = services.person_create(
        source=Source.VIBES_CALLBACK,
        person_key="pk-A",
        mdn=PEOPLE[0]["mdn"],
        vibes_updated_at=T0,
        custom_fields={"first_name": "Al"},
        occurred_at=T0,
    )
    services.person_update(
        person=a,
        source=Source.PREFERENCE_PAGE,
        occurred_at=T0 + timedelta(minutes=20),
        custom_fields={"first_name": "Bo"},
    )
    c = services.person_create(
        source=Source.VIBES_CALLBACK, person_key="pk-C", mdn=PEOPLE[2]["mdn"], occurred_at=T0
    )
    services.person_update(
        person=c, source=Source.VIBES_CALLBACK, pending_mdn=NEW_NUMBER, occurred_at=T0
    )
    services.subscription_list_upsert(list_id="L2", acquisition_campaign_id="2342312")
    # Someone else once held D's number and asked to be erased: it is suppressed.
    suppression.suppress(PEOPLE[3]["mdn"])
    # E's number was disconnected: a new Vibes person naming it is someone new.
    e = services.person_create(
        source=Source.VIBES_CALLBACK, person_key="pk-old-E", mdn=PEOPLE[4]["mdn"], occurred_at=T0
    )
    services.person_number_dead(person=e, reason="disconnect", occurred_at=T0)


def deliver(bodies):
    for i, body in enumerate(bodies):
        raw = json.dumps(body)
        parsed = parse_event(raw)
        event = event_store(
            parsed=parsed, method="POST", body=raw, mdn=mdn_of(person_of(parsed.payload))
        )
        # Events with no date fall back on when they were received: the same in both runs.
        CallbackEvent.objects.filter(pk=event.pk).update(received_at=T0 + timedelta(seconds=i))


# Columns that hold the wall clock of the run (when a row was written, queued, confirmed
# or is due again), which two runs never share: compared as set or not. Every other column
# of every model is compared whole.
WALL_CLOCK = {
    "created_at",
    "updated_at",
    "recorded_at",
    "processed_at",
    "queued_at",
    "next_attempt_at",
    "lease_until",
    "done_at",
    "started_at",
    "checked_at",
    "refused_since",
    "confirmed_at",
    "seen_at",
    "last_seen_at",
    "reviewed_at",
    "sent_at",
    "decided_at",
    "expires_at",
    "closed_at",
}


def fingerprint(model, row, ranks) -> tuple:
    """A row as the values of its columns, a foreign key as what it points at (a person by
    creation order, a list by its Vibes id, a callback by its type and id), no row ids."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        value = row[f.attname]
        if f.name in WALL_CLOCK:
            value = value is not None
        elif f.is_relation and value is not None:
            value = ranks[f.related_model].get(value, ("missing", value))
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, sort_keys=True)
        out.append((f.name, repr(value)))
    return tuple(out)


def every_table() -> dict:
    """Every model of the two apps, new tables included: what a path forgets to write (or
    writes twice) shows here, whatever the model."""
    models = [
        *apps.get_app_config("subscribers").get_models(),
        *apps.get_app_config("callbacks").get_models(),
    ]
    ranks = {model: {} for model in models}
    for model in models:
        ranks.setdefault(model, {})
    ranks[Person] = {
        pk: i for i, pk in enumerate(Person.objects.order_by("id").values_list("pk", flat=True))
    }
    ranks[SubscriptionList] = dict(SubscriptionList.objects.values_list("pk", "list_id"))
    ranks[CallbackEvent] = {
        pk: (kind, event_id)
        for pk, kind, event_id in CallbackEvent.objects.values_list(
            "pk", "callback_type", "event_id"
        )
    }
    ranks[get_user_model()] = dict(get_user_model().objects.values_list("pk", "username"))
    tables, pending = {}, list(models)
    while pending:  # a model's rows once the rows it points at are fingerprinted
        for model in list(pending):
            targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            if any(t in pending and t is not model and not ranks[t] for t in targets):
                continue
            rows = list(model.objects.values())
            prints = {row["id"]: fingerprint(model, row, ranks) for row in rows}
            ranks[model] = ranks[model] or prints
            tables[model._meta.label] = sorted(prints.values())
            pending.remove(model)
    return tables


def snapshot() -> dict:
    rank = {
        pk: i for i, pk in enumerate(Person.objects.order_by("id").values_list("pk", flat=True))
    }
    return {
        **every_table(),
        # History in the order it was written (every_table compares it as a set).
        "history": [
            (
                rank[h.person_id],
                h.subscription_list.list_id if h.subscription_list else None,
                h.kind,
                h.source,
                h.occurred_at,
                h.superseded,
                json.dumps(h.changes, sort_keys=True),
                h.callback.event_id if h.callback else None,
            )
            for h in SubscriptionEvent.objects.select_related(
                "subscription_list", "callback"
            ).order_by("id")
        ],
        # Each subscription's state, by whom Vibes knows as its person (the creation order
        # of persons follows the order events are applied in).
        "states": sorted(
            (
                repr((s.person.person_key, s.person.vibes_person_id, s.person.mdn)),
                s.subscription_list.list_id,
                s.status,
                s.last_event_at,
            )
            for s in Subscription.objects.select_related("person", "subscription_list")
        ),
    }


class Rollback(Exception):
    pass


def applied(bodies, **how) -> dict:
    try:
        with transaction.atomic():
            seed()
            deliver(bodies)
            events_apply_received(**how)
            assert not CallbackEvent.objects.filter(status="received").exists()
            result = snapshot()
            raise Rollback
    except Rollback:
        return result


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=streams())
def test_a_backlog_applied_in_batches_leaves_every_row_as_applying_it_event_by_event(case):
    bodies, size = case
    one_by_one = applied(bodies, batch=0, opt_outs_first=False)
    batched = applied(bodies, batch=size, opt_outs_first=False)
    for table in one_by_one:
        assert batched[table] == one_by_one[table], table


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=streams(unique=True))
def test_opt_outs_first_leaves_every_subscription_in_the_state_of_its_newest_event(case):
    """Opt-outs taken first, with the events waiting for their numbers: each subscription
    ends in the state of its newest event. (Two events of one subscription with the very
    same date are decided by arrival order, which this cannot keep for an event that
    names the person without the number.)"""
    bodies, size = case
    in_order = applied(bodies, batch=0, opt_outs_first=False)
    opt_outs_first = applied(bodies, batch=size)
    assert opt_outs_first["states"] == in_order["states"]
