"""Load a Vibes Subscription Extract file (tab-separated, one subscription event a row)."""

from django.core.management.base import BaseCommand, CommandError

from subscribers.management.progress import Progress
from subscribers.repair.extract import NotAnExtract, extract_load


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
        progress = Progress(None, "rows", stream=self.stderr)
        with handle:
            try:
                counts = extract_load(
                    handle,
                    dry_run=dry_run,
                    on_row=progress.step,
                    on_bad_row=lambda line, why: self.stderr.write(f"\nline {line}: {why}"),
                )
            except NotAnExtract as exc:
                raise CommandError(str(exc)) from exc
        progress.done()
        prefix = "dry run, nothing applied: " if dry_run else ""
        self.stdout.write(prefix + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
