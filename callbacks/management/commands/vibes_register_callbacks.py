"""Register this service's callback URL with Vibes for every callback type it handles."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from callbacks.registration import callback_identity, wanted_callbacks
from subscribers.vibes import VibesClient, VibesError


class Command(BaseCommand):
    help = (
        "Register <base-url>/callbacks/vibes/<first CALLBACK_TOKENS token>/ with Vibes for "
        "person_*, subscription_list_*, subscription_added/removed (one per list) and "
        "ack_participant_* (one per acquisition campaign). Registrations that already exist "
        "are skipped. --test asks Vibes to fire a test event of each type."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True, help="e.g. https://prefs.example.com")
        parser.add_argument("--test", action="store_true", help="Fire Vibes' test events too.")

    def handle(self, *args, base_url, test, **options):
        if not settings.CALLBACK_TOKENS:
            raise CommandError("CALLBACK_TOKENS is empty: set it before registering callbacks.")
        url = f"{base_url.rstrip('/')}/callbacks/vibes/{settings.CALLBACK_TOKENS[0]}/"
        client = VibesClient.from_settings()
        try:
            existing = {callback_identity(cb) for cb in client.list_callbacks()}
        except VibesError as exc:
            raise CommandError(f"Vibes did not list the callbacks: {exc}") from exc
        counts = {"registered": 0, "already there": 0, "errors": 0, "tests fired": 0}
        shown = url.replace(settings.CALLBACK_TOKENS[0], "<token>")
        for cb in wanted_callbacks(url):
            ident = callback_identity(cb)
            label = f"{ident[0]}{' ' + ident[1] if ident[1] else ''}"
            if ident in existing:
                counts["already there"] += 1
                self.stdout.write(f"skip      {label} (already registered)")
            else:
                try:
                    answer = client.register_callback(cb)
                except VibesError as exc:
                    counts["errors"] += 1
                    self.stderr.write(f"error     {label}: {exc}")
                    continue
                counts["registered"] += 1
                self.stdout.write(
                    f"register  {label} -> {shown} (id {answer.get('callback_id', '?')})"
                )
        if test:
            for kind in sorted({cb["callback_type"] for cb in wanted_callbacks(url)}):
                try:
                    client.test_callback({"callback_type": kind})
                    counts["tests fired"] += 1
                    self.stdout.write(f"test      {kind}")
                except VibesError as exc:
                    self.stderr.write(f"test      {kind} failed: {exc}")
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
