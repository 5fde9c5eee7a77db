"""Copy Vibes' subscription lists and their acquisition campaigns into the database."""

from django.core.management.base import BaseCommand, CommandError

from subscribers.management.progress import Progress
from subscribers.repair.lists import lists_sync
from subscribers.vibes import VibesClient, VibesError


class Command(BaseCommand):
    help = (
        "Fetch Vibes' subscription lists and each list's acquisition campaigns. New lists are "
        "added (not offered publicly until staff say so); names are updated; a list without a "
        "web acquisition campaign gets the first active one Vibes reports."
    )

    def handle(self, *args, **options):
        progress = Progress(None, "lists", stream=self.stderr)
        try:
            counts = lists_sync(
                VibesClient.from_settings(),
                on_list=progress.step,
                on_error=lambda why: self.stderr.write(f"\n{why}"),
            )
        except VibesError as exc:
            raise CommandError(f"Vibes did not answer the list of lists: {exc}") from exc
        progress.done()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
