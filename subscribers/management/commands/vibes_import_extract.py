"""Load a Vibes Subscription Extract file (tab-separated, one subscription event a row)."""

import csv
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from subscribers import services
from subscribers.management.progress import Progress
from subscribers.models import Source, Subscription
from subscribers.services import VibesIdentity
from subscribers.vibes.dates import parse_vibes_datetime

REQUIRED = {"subscription_list_id", "subscription_event"}


class BadRow(ValueError):
    pass


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load a Vibes Subscription Extract (TSV: person_id, external_person_id, mdn, "
        "carrier_code, subscription_list_id, subscription_list_name, opt_in_date, "
        "opt_out_date, subscription_event OPT_IN/OPT_OUT, opt_out_reason), streaming. "
        "Newest event wins, so a person whose newer opt-out is known is never re-subscribed. "
        "Bad rows are reported with their line numbers; the rest are loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the extract file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Apply nothing; print counts by outcome."
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            handle = open(file, newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        counts: Counter = Counter()
        progress = Progress(None, "rows", stream=self.stderr)
        with handle:
            reader = csv.DictReader(handle, delimiter="\t")
            missing = REQUIRED - {(f or "").strip().lower() for f in reader.fieldnames or []}
            if missing:
                raise CommandError(f"not an extract file: missing columns {sorted(missing)}")
            try:
                with transaction.atomic():
                    for row in reader:
                        progress.step()
                        line = reader.line_num
                        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                        try:
                            with transaction.atomic():
                                counts[self._load(row)] += 1
                        except BadRow as exc:
                            counts["bad rows"] += 1
                            self.stderr.write(f"\nline {line}: {exc}")
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                pass
        progress.done()
        prefix = "dry run, nothing applied: " if dry_run else ""
        self.stdout.write(prefix + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))

    def _load(self, row: dict) -> str:
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
            person_key=row.get("person_id"),
            external_person_id=row.get("external_person_id"),
            mdn=row.get("mdn"),
        )
        if not identity.cleaned():
            raise BadRow("no person_id, external_person_id or mdn")
        person, _ = services.person_upsert_from_vibes(
            identity=identity, source=Source.IMPORT, occurred_at=occurred
        )
        sub_list, _ = services.subscription_list_upsert(
            list_id=list_id, name=row.get("subscription_list_name") or None
        )
        change = services.subscription_set_state(
            person=person,
            subscription_list=sub_list,
            status=Subscription.Status.ACTIVE
            if event == "OPT_IN"
            else Subscription.Status.OPTED_OUT,
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
