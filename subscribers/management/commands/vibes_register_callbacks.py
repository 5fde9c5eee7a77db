"""Register this service's callback URL with Vibes for every callback type it handles."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscribers.models import SubscriptionList
from subscribers.vibes import VibesClient, VibesError

GLOBAL_TYPES = (
    "person_added",
    "person_updated",
    "subscription_list_added",
    "subscription_list_updated",
)
PER_LIST = ("subscription_added", "subscription_removed")
PER_CAMPAIGN = ("ack_participant_added", "ack_participant_changed")


def wanted_callbacks(url: str) -> list[dict]:
    destination = {"url": url, "method": "POST", "content_type": "application/json"}
    wanted = [{"callback_type": t, "destination": destination} for t in GLOBAL_TYPES]
    lists = SubscriptionList.objects.order_by("list_id")
    for sub_list in lists:
        wanted += [
            {"callback_type": t, t: {"list_id": sub_list.list_id}, "destination": destination}
            for t in PER_LIST
        ]
    campaigns = sorted({sl.acquisition_campaign_id for sl in lists if sl.acquisition_campaign_id})
    for campaign in campaigns:
        wanted += [
            {"callback_type": t, t: {"campaign_id": campaign}, "destination": destination}
            for t in PER_CAMPAIGN
        ]
    return wanted


def _identity(cb: dict) -> tuple:
    kind = cb.get("callback_type")
    filt = cb.get(kind) if isinstance(cb.get(kind), dict) else {}
    return (
        kind,
        str(filt.get("list_id") or filt.get("campaign_id") or ""),
        (cb.get("destination") or {}).get("url"),
    )


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
            existing = {_identity(cb) for cb in client.list_callbacks()}
        except VibesError as exc:
            raise CommandError(f"Vibes did not list the callbacks: {exc}") from exc
        counts = {"registered": 0, "already there": 0, "errors": 0, "tests fired": 0}
        shown = url.replace(settings.CALLBACK_TOKENS[0], "<token>")
        for cb in wanted_callbacks(url):
            ident = _identity(cb)
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
