"""Load Vibes' Subscription Extract: the daily file that is the only bulk source of list
membership (docs/vibes.md, "Quirks"). Tab-separated, one subscription event a row.

Every row goes through the services with ``Source.IMPORT`` (recorded in history, never
pushed back). Newest event wins, so a person whose newer opt-out is known is never
re-subscribed. A bad row is reported with its line number and the rest are loaded.
"""

import csv
from collections import Counter
from collections.abc import Callable

from django.db import transaction

from .. import custom_values, services
from ..models import Source, Subscription
from ..services import VibesIdentity
from ..vibes.dates import parse_vibes_datetime

REQUIRED = {"subscription_list_id", "subscription_event"}


class BadRow(ValueError):
    pass


class NotAnExtract(ValueError):
    """The file lacks the columns every extract has."""


class _DryRun(Exception):
    pass


def extract_load(
    handle,
    *,
    dry_run: bool = False,
    on_row: Callable[[], None] | None = None,
    on_bad_row: Callable[[int, str], None] | None = None,
) -> Counter:
    """Load the open extract file ``handle``; return counts by outcome.

    A dry run applies everything in one transaction and rolls it back, so its counts are
    exactly what a real load would do.
    """
    counts: Counter = Counter()
    reader = csv.DictReader(handle, delimiter="\t")
    missing = REQUIRED - {(f or "").strip().lower() for f in reader.fieldnames or []}
    if missing:
        raise NotAnExtract(f"not an extract file: missing columns {sorted(missing)}")
    try:
        with transaction.atomic():
            for row in reader:
                if on_row:
                    on_row()
                line = reader.line_num
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                try:
                    with transaction.atomic():
                        counts[row_load(row)] += 1
                except BadRow as exc:
                    counts["bad rows"] += 1
                    if on_bad_row:
                        on_bad_row(line, str(exc))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return counts


def row_load(row: dict) -> str:
    """Apply one extract row; return what happened to it."""
    event = row.get("subscription_event", "").upper()
    if event not in ("OPT_IN", "OPT_OUT"):
        raise BadRow(f"subscription_event must be OPT_IN or OPT_OUT, not {event[:20]!r}")
    list_id = row.get("subscription_list_id")
    if not list_id:
        raise BadRow("no subscription_list_id")
    try:
        opt_in = parse_vibes_datetime(row.get("opt_in_date"))
        opt_out = parse_vibes_datetime(row.get("opt_out_date"))
    except ValueError as exc:
        raise BadRow(str(exc)) from None
    occurred = opt_in if event == "OPT_IN" else (opt_out or None)
    if occurred is None:
        raise BadRow(f"{event} without its date")
    identity = VibesIdentity(
        person_key=row.get("person_id"),  # the extract's person_id holds the person_key
        external_person_id=row.get("external_person_id"),
        mdn=row.get("mdn"),
    )
    if not identity.cleaned():
        raise BadRow("no person_id, external_person_id or mdn")
    try:
        fields = custom_values.extract_values(row)
    except custom_values.CustomValueError as exc:
        raise BadRow(f"custom fields: {exc}") from None
    person, _ = services.person_upsert_from_vibes(
        identity=identity,
        source=Source.IMPORT,
        occurred_at=occurred,
        **({"custom_fields": fields} if fields else {}),
    )
    sub_list, _ = services.subscription_list_upsert(
        list_id=list_id, name=row.get("subscription_list_name") or None
    )
    change = services.subscription_set_state(
        person=person,
        subscription_list=sub_list,
        status=Subscription.Status.ACTIVE if event == "OPT_IN" else Subscription.Status.OPTED_OUT,
        source=Source.IMPORT,
        occurred_at=occurred,
        opt_in_date=opt_in,
        opt_out_date=opt_out if event == "OPT_OUT" else None,
        opt_out_reason=row.get("opt_out_reason", "").lower(),
        note="subscription extract",
    )
    if not change.applied:
        return "skipped: a newer event is known"
    if change.event is None:
        return "unchanged"
    return "opted in" if event == "OPT_IN" else "opted out"
