"""Load a Vibes Subscription Extract file (tab-separated, one subscription event a row).

Exit status: 0 when every row was loaded; 2 when some rows were refused (each named on
standard error with its line number and why; the others were loaded); 1 when nothing could
be loaded (no such file, not an extract). A monitoring job can tell the three apart.
"""

from django.core.management.base import BaseCommand, CommandError

from subscribers.management.progress import Progress
from subscribers.repair.extract import BATCH_SIZE, NotAnExtract, extract_load


def data_lines(path: str) -> int | None:
    """How many rows the file holds after its header (for the progress bar), counted in
    blocks; None when it cannot be read twice (a pipe)."""
    try:
        with open(path, "rb") as raw:
            if not raw.seekable():
                return None
            lines = sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - 1, 0)


class Command(BaseCommand):
    help = (
        "Load a Vibes Subscription Extract (TSV: person_id, external_person_id, mdn, "
        "carrier_code, subscription_list_id, subscription_list_name, opt_in_date, "
        "opt_out_date, subscription_event OPT_IN/OPT_OUT, opt_out_reason), streaming, in "
        "batches each committed on its own: a load stopped halfway is finished by running "
        "it again. Newest event wins, so a person whose newer opt-out is known is never "
        "re-subscribed. Bad rows are refused with their line numbers and why; the rest are "
        "loaded. Prints what it changed. Exit status: 0 all rows loaded, 2 some rows refused, "
        "1 nothing loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the extract file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Apply everything, then roll it back: print what a load would change.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Rows applied together (default {BATCH_SIZE}; 0: row by row, the slow path).",
        )

    def handle(self, *args, file, dry_run, batch_size, **options):
        if batch_size < 0:
            raise CommandError("--batch-size must be 0 (row by row) or more")
        try:
            handle = open(file, "rb")  # noqa: SIM115 - lines decoded one by one (extract_lines)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        progress = Progress(data_lines(file), "rows", stream=self.stderr)
        with handle:
            try:
                counts = extract_load(
                    handle,
                    dry_run=dry_run,
                    on_row=progress.step,
                    on_bad_row=lambda line, why: self.stderr.write(f"\nline {line}: {why}"),
                    batch_size=batch_size,
                )
            except NotAnExtract as exc:
                raise CommandError(f"{file}: {exc}") from exc
        progress.done()
        prefix = "dry run, nothing applied: " if dry_run else ""
        said = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no rows"
        self.stdout.write(prefix + said)
        if counts["bad rows"]:
            raise CommandError(
                f"{counts['bad rows']} rows refused (their lines are listed above); the "
                "other rows were " + ("checked" if dry_run else "loaded"),
                returncode=2,
            )
