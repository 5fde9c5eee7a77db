"""Apply stored Vibes callbacks again: by default every one that failed."""

from collections import Counter

from django.core.management.base import BaseCommand

from callbacks.apply import event_apply, events_apply_received
from callbacks.models import CallbackEvent


class Command(BaseCommand):
    help = (
        "Replay stored Vibes callbacks through their handlers: every failed one, oldest "
        "event first (or only the ids given). Each is applied at most once; an event older "
        "than what a subscription already shows is kept as superseded."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Replay only these callback ids.")
        parser.add_argument(
            "--received",
            action="store_true",
            help="Also apply events still waiting in 'received' (as the periodic sweep does).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many would be replayed."
        )

    def handle(self, *args, ids, received, dry_run, **options):
        Status = CallbackEvent.Status
        if ids:
            targets = CallbackEvent.objects.filter(pk__in=ids)
        else:
            targets = CallbackEvent.objects.filter(status=Status.FAILED)
        targets = list(targets.order_by("event_date", "id").values_list("pk", flat=True))
        if dry_run:
            waiting = CallbackEvent.objects.filter(status=Status.RECEIVED).count()
            self.stdout.write(
                f"{len(targets)} to replay" + (f", {waiting} received" if received else "")
            )
            return
        outcome = Counter()
        for pk in targets:
            event = event_apply(event_id=pk)
            outcome[event.status if event else "missing"] += 1
        if received:
            # Run after run until none stops at its bound: a command has no time limit.
            while (run := events_apply_received()).applied:
                outcome["received applied"] += run.applied
                if not run.more:
                    break
        summary = ", ".join(f"{n} {status}" for status, n in sorted(outcome.items())) or "nothing"
        self.stdout.write(f"Replayed {len(targets)} callbacks: {summary}.")
        if outcome.get(Status.FAILED):
            self.stdout.write(self.style.WARNING("Some still fail; see their errors in the admin."))
