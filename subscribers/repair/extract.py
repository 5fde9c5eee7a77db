"""Load Vibes' Subscription Extract: the daily file that is the only bulk source of list
membership (docs/vibes.md, "Quirks"). Tab-separated, one subscription event a row.

Rows are read line by line as Vibes writes them, with no quoting (``extract_lines``), and
checked one by one: a bad row is refused with its line number and why, counted as a "bad
row", and the rest are loaded. Good rows are applied ``batch_size`` at a time on the
set-based path the callbacks use (``callbacks/batch/extract.py``), each batch in a
transaction of its own. A row that path leaves to the services (an erased or dead
number, a number change) goes through ``row_load`` in its place, so the outcome is that
of applying row after row with ``Source.IMPORT``: recorded in history, never pushed back,
newest event wins (a person whose newer opt-out is known is never re-subscribed). Loading
the same file again changes nothing, so a load stopped halfway is finished by running it
again.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import nullcontext

from django.db import transaction

from callbacks.batch.extract import (
    NOTE,
    OPTED_IN,
    OPTED_OUT,
    SKIPPED,
    UNCHANGED,
    ExtractRow,
    rows_apply,
)

from .. import custom_values, services
from ..models import Source, Subscription
from ..services import VibesIdentity
from ..vibes.dates import parse_vibes_datetime
from .extract_lines import NotAnExtract, header, rows

logger = logging.getLogger(__name__)

REQUIRED = {"subscription_list_id", "subscription_event"}
BATCH_SIZE = 2000


class BadRow(ValueError):
    pass


class _DryRun(Exception):
    pass


def extract_load(
    handle,
    *,
    dry_run: bool = False,
    on_row: Callable[[], None] | None = None,
    on_bad_row: Callable[[int, str], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Counter:
    """Load the open extract file ``handle`` (binary, or text); return counts by outcome.

    ``batch_size`` 0 applies every row through ``row_load`` (the per-row path). A dry run
    applies everything in one transaction, locking nothing, and rolls it back, so its
    counts are exactly what a real load would do."""
    counts: Counter = Counter()
    columns = header(handle)
    missing = REQUIRED - set(columns)
    if missing:
        raise NotAnExtract(f"not an extract file: missing columns {sorted(missing)}")
    good = _good_rows(handle, columns, counts, on_row, on_bad_row)
    try:
        with transaction.atomic() if dry_run else nullcontext():
            batch: list[ExtractRow] = []
            for row in good:
                if not batch_size:
                    counts[row_load(row, counts)] += 1
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    _batch_load(batch, counts, lock=not dry_run)
                    batch = []
            _batch_load(batch, counts, lock=not dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return +counts


def _good_rows(handle, columns, counts, on_row, on_bad_row) -> Iterator[ExtractRow]:
    fields = custom_values.definitions()
    for line, values, why in rows(handle, len(columns)):
        if on_row:
            on_row()
        try:
            if values is None:
                raise BadRow(why)
            yield row_read(dict(zip(columns, values, strict=True)), line, fields)
        except BadRow as exc:
            counts["bad rows"] += 1
            if on_bad_row:
                on_bad_row(line, str(exc))


def row_read(row: dict, line: int = 0, fields=None) -> ExtractRow:
    """Check one extract row (its column names lower case); raise ``BadRow`` saying why it
    cannot be applied."""
    event = row.get("subscription_event", "").upper()
    if event not in ("OPT_IN", "OPT_OUT"):
        raise BadRow(f"subscription_event must be OPT_IN or OPT_OUT, not {event[:20]!r}")
    list_id = row.get("subscription_list_id", "")[:64]
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
    ).cleaned()
    if not identity:
        raise BadRow("no person_id, external_person_id or mdn")
    try:
        values = custom_values.extract_values(row, fields=fields)
    except custom_values.CustomValueError as exc:
        raise BadRow(f"custom fields: {exc}") from None
    opted_in = event == "OPT_IN"
    return ExtractRow(
        event=None,
        identity=identity,
        occurred_at=occurred,
        list_id=list_id,
        status=Subscription.Status.ACTIVE if opted_in else Subscription.Status.OPTED_OUT,
        opt_in_date=opt_in,
        opt_out_date=None if opted_in else opt_out,
        opt_out_reason="" if opted_in else row.get("opt_out_reason", "").lower()[:64],
        values={"custom_fields": values} if values else {},
        line=line,
        list_name=row.get("subscription_list_name", ""),
    )


def _batch_load(rows: list[ExtractRow], counts: Counter, *, lock: bool) -> None:
    """Apply ``rows`` in order: in batches where possible, ``row_load`` where not. A batch
    that fails (another process holding a row it needs, a row the database refuses) is
    rolled back and its rows applied one by one."""
    start = 0
    while start < len(rows):
        try:
            with transaction.atomic():
                outcomes, other = rows_apply(rows[start:], lock=lock)
        except Exception:
            logger.warning(
                "a batch of %s extract rows failed; applying them one by one",
                len(rows) - start,
                exc_info=True,
            )
            for row in rows[start:]:
                counts[row_load(row, counts)] += 1
            return
        counts.update(outcomes)
        counts.update(other)
        start += len(outcomes)
        if start < len(rows):  # the batch stopped before a row the services must apply
            counts[row_load(rows[start], counts)] += 1
            start += 1


def row_load(row: ExtractRow, counts: Counter | None = None) -> str:
    """Apply one checked row through the services; return what happened to it."""
    with transaction.atomic():
        person, created = services.person_upsert_from_vibes(
            identity=row.identity, source=Source.IMPORT, occurred_at=row.occurred_at, **row.values
        )
        sub_list, list_created = services.subscription_list_upsert(
            list_id=row.list_id, name=row.list_name or None
        )
        change = services.subscription_set_state(
            person=person,
            subscription_list=sub_list,
            status=row.status,
            source=Source.IMPORT,
            occurred_at=row.occurred_at,
            opt_in_date=row.opt_in_date,
            opt_out_date=row.opt_out_date,
            opt_out_reason=row.opt_out_reason,
            note=NOTE,
        )
    if counts is not None:
        counts["persons created"] += created
        counts["lists created"] += list_created
    if not change.applied:
        return SKIPPED
    if change.event is None:
        return UNCHANGED
    return OPTED_IN if row.status == Subscription.Status.ACTIVE else OPTED_OUT
