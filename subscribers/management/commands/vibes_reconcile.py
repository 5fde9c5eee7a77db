"""Re-read persons and their subscriptions from Vibes and apply the differences."""

from django.core.management.base import BaseCommand

from subscribers.management.progress import Progress
from subscribers.models import Person
from subscribers.repair.drift import drift_sweep
from subscribers.repair.reconcile import person_reconcile
from subscribers.vibes import VibesClient, VibesError


class Command(BaseCommand):
    help = (
        "Re-read persons (all, or those given) and their subscriptions from Vibes, within "
        "VIBES_RATE_LIMIT. Differences are applied locally through the services and recorded "
        "in history (source: reconcile). An opt-out on either side wins: Vibes' opt-outs are "
        "applied; a local opt-out Vibes does not know yet is pushed, not undone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--person",
            action="append",
            default=[],
            metavar="ID",
            help="Only this local person id (repeatable).",
        )
        parser.add_argument("--limit", type=int, default=None, help="At most this many.")
        parser.add_argument(
            "--drift",
            action="store_true",
            help="One drift sweep instead (as beat runs it): open opt-outs with failed "
            "pushes, late ones, recent carrier opt-outs, then recent changes, within "
            "VIBES_DRIFT_BUDGET requests a second.",
        )

    def handle(self, *args, person, limit, drift, **options):
        if drift:
            self.stdout.write(drift_sweep(client=VibesClient.from_settings()).summary())
            return
        people = Person.objects.order_by("id")
        if person:
            people = people.filter(pk__in=person)
        if limit:
            people = people[:limit]
        client = VibesClient.from_settings()
        counts = {"in step": 0, "changed": 0, "not in Vibes": 0, "errors": 0}
        progress = Progress(people.count(), "persons", stream=self.stderr)
        for p in people.iterator(chunk_size=200):
            progress.step()
            try:
                result = person_reconcile(person=p, client=client)
            except VibesError as exc:
                counts["errors"] += 1
                self.stderr.write(f"\nperson #{p.pk}: {exc}")
                continue
            if not result.found:
                counts["not in Vibes"] += 1
            elif result.changed:
                counts["changed"] += 1
                self.stdout.write(f"person #{p.pk}: {result.summary()}")
            else:
                counts["in step"] += 1
        progress.done()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
