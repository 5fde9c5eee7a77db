"""Exports staff download: persons as CSV, and one person's proof of consent as JSON."""

import csv
import json
import re
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from callbacks.models import CallbackEvent

from .. import custom_values
from ..models import Person, Subscription, SubscriptionEvent

CSV_HEADER = [
    "person_key",
    "external_person_id",
    "vibes_person_id",
    "mdn",
    "first_name",
    "last_name",
    "list_id",
    "list_name",
    "status",
    "opt_in_date",
    "opt_out_date",
    "opt_out_reason",
    "acquisition_campaign_id",
]

# A cell a spreadsheet would read as a formula: = + - @, and tab / carriage return, which
# some spreadsheets strip before looking for those.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# An E.164 number starts with "+" but is only digits: no formula can hide in it, and
# prefixing it would spoil the number column.
_E164 = re.compile(r"\+[0-9]{4,15}")


def csv_safe(value) -> str:
    """``value`` as a CSV cell that no spreadsheet executes (OWASP "CSV injection")."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(_FORMULA_START) and not _E164.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


#: Custom fields with columns of their own in CSV_HEADER.
_NAMED_FIELDS = ("first_name", "last_name")


def custom_field_columns() -> list[str]:
    """The keys of every custom field definition, in staff's order, after the fixed
    columns: one column each."""
    return [key for key in custom_values.definitions() if key not in _NAMED_FIELDS]


def _custom_cell(value) -> str | None:
    """A stored value as one cell: option keys of a multi select joined by ";"."""
    if isinstance(value, list):
        return ";".join(str(custom_values.option_key(v) or "") for v in value)
    if isinstance(value, dict):
        return custom_values.option_key(value)
    return value


def person_csv_rows(
    persons: Iterable[Person], custom_keys: Iterable[str] = ()
) -> Iterator[list[str]]:
    """One row per subscription; a person on no list (or none the filters kept) gets one
    row with empty list cells. ``custom_keys`` add a column per custom field."""
    custom_keys = list(custom_keys)
    yield CSV_HEADER + custom_keys
    for person in persons:
        fields = person.custom_fields or {}
        custom = [_custom_cell(fields.get(key)) for key in custom_keys]
        who = [
            person.person_key,
            person.external_person_id,
            person.vibes_person_id,
            person.mdn,
            fields.get("first_name"),
            fields.get("last_name"),
        ]
        subscriptions = list(person.subscriptions.all()) or [None]
        for sub in subscriptions:
            if sub is None:
                row = who + [""] * 7
            else:
                row = who + [
                    sub.subscription_list.list_id,
                    sub.subscription_list.name,
                    sub.status,
                    sub.opt_in_date,
                    sub.opt_out_date,
                    sub.opt_out_reason,
                    sub.acquisition_campaign_id,
                ]
            yield [csv_safe(v) for v in row + custom]


def persons_csv_response(
    queryset, *, chunk_size: int = 2000, subscriptions=None
) -> StreamingHttpResponse:
    """Stream ``queryset`` as CSV: memory stays flat however many persons are selected.

    ``subscriptions`` (a Subscription queryset) keeps only those rows, e.g. the list the
    changelist was filtered by. ``iterator(chunk_size=…)`` with a prefetch runs two
    queries per chunk, not per person.
    """
    subscriptions = Subscription.objects.all() if subscriptions is None else subscriptions
    persons = (
        queryset.order_by("pk")
        .prefetch_related(
            Prefetch(
                "subscriptions",
                queryset=subscriptions.select_related("subscription_list").order_by(
                    "subscription_list__name", "pk"
                ),
            )
        )
        .iterator(chunk_size=chunk_size)
    )
    writer = csv.writer(_Echo())
    rows = person_csv_rows(persons, custom_field_columns())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="persons-{stamp}.csv"'
    return response


def _event_record(event: SubscriptionEvent) -> dict:
    sub_list = event.subscription_list
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "list": {"list_id": sub_list.list_id, "name": sub_list.name} if sub_list else None,
        "source": event.source,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "staff_user": event.staff_user.get_username() if event.staff_user else None,
        "opt_out_reason": event.opt_out_reason,
        "acquisition_campaign_id": event.acquisition_campaign_id,
        "superseded": event.superseded,
        "changes": event.changes,
        "evidence": {
            "ip_address": event.ip_address,
            "user_agent": event.user_agent,
            "page": event.page,
            "wording": event.wording,
        },
        "note": event.note,
        "callback_id": event.callback_id,
    }


def _callback_record(callback: CallbackEvent) -> dict:
    return {
        "id": callback.pk,
        "received_at": callback.received_at,
        "method": callback.method,
        "remote_addr": callback.remote_addr,
        "headers": callback.headers,
        "body": callback.body,
        "callback_type": callback.callback_type,
        "event_id": callback.event_id,
        "event_date": callback.event_date,
        "callback_id": callback.callback_id,
        "delivery_attempt": callback.delivery_attempt,
        "status": callback.status,
        "error": callback.error,
        "processed_at": callback.processed_at,
    }


def proof_of_consent(person: Person) -> dict:
    """Everything that shows when and how ``person`` opted in or out, in four queries."""
    events = (
        SubscriptionEvent.objects.filter(person=person)
        .select_related("subscription_list", "staff_user")
        .order_by("occurred_at", "id")
    )
    causing = SubscriptionEvent.objects.filter(person=person, callback__isnull=False)
    callbacks = CallbackEvent.objects.filter(pk__in=causing.values("callback_id")).order_by(
        "received_at", "id"
    )
    subscriptions = (
        Subscription.objects.filter(person=person)
        .select_related("subscription_list")
        .order_by("subscription_list__name")
    )
    return {
        "generated_at": timezone.now(),
        "person": {
            "id": person.pk,
            "person_key": person.person_key,
            "vibes_person_id": person.vibes_person_id,
            "external_person_id": person.external_person_id,
            "mdn": person.mdn,
            "carrier_code": person.carrier_code,
            "custom_fields": person.custom_fields,
            "vibes_created_at": person.vibes_created_at,
            "vibes_updated_at": person.vibes_updated_at,
        },
        "subscriptions": [
            {
                "list_id": s.subscription_list.list_id,
                "list_name": s.subscription_list.name,
                "status": s.status,
                "opt_in_date": s.opt_in_date,
                "opt_out_date": s.opt_out_date,
                "opt_out_reason": s.opt_out_reason,
                "acquisition_campaign_id": s.acquisition_campaign_id,
            }
            for s in subscriptions
        ],
        "history": [_event_record(e) for e in events.iterator(chunk_size=2000)],
        "callbacks": [_callback_record(c) for c in callbacks.iterator(chunk_size=500)],
    }


def proof_of_consent_response(person: Person) -> HttpResponse:
    body = json.dumps(proof_of_consent(person), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    name = person.person_key or person.external_person_id or f"person-{person.pk}"
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80]
    response["Content-Disposition"] = f'attachment; filename="consent-{safe}.json"'
    return response
