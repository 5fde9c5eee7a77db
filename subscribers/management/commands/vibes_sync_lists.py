"""Copy Vibes' subscription lists and their acquisition campaigns into the database."""

from django.core.management.base import BaseCommand, CommandError

from subscribers import services
from subscribers.management.progress import Progress
from subscribers.models import SubscriptionList
from subscribers.vibes import VibesClient, VibesError


class Command(BaseCommand):
    help = (
        "Fetch Vibes' subscription lists and each list's acquisition campaigns. New lists are "
        "added (not offered publicly until staff say so); names are updated; a list without a "
        "web acquisition campaign gets the first active one Vibes reports."
    )

    def handle(self, *args, **options):
        client = VibesClient.from_settings()
        try:
            remote = client.get_lists()
        except VibesError as exc:
            raise CommandError(f"Vibes did not answer the list of lists: {exc}") from exc
        counts = {"created": 0, "updated": 0, "campaign set": 0, "unchanged": 0, "errors": 0}
        progress = Progress(len(remote), "lists", stream=self.stderr)
        for item in remote:
            progress.step()
            list_id = str(item.get("id") or "").strip()
            if not list_id:
                counts["errors"] += 1
                continue
            before = SubscriptionList.objects.filter(list_id=list_id).first()
            sub_list, created = services.subscription_list_upsert(
                list_id=list_id, name=item.get("name") or None
            )
            try:
                campaigns = client.get_list_campaigns(list_id)
            except VibesError as exc:
                self.stderr.write(f"\nlist {list_id}: campaigns not read: {exc}")
                counts["errors"] += 1
                campaigns = []
            ids = [str(c.get("acquisition_id") or c.get("id") or "") for c in campaigns]
            active = [
                str(c.get("acquisition_id") or c.get("id"))
                for c in campaigns
                if str(c.get("status") or "active").lower() == "active"
            ]
            if sub_list.acquisition_campaign_id not in ids and (active or ids):
                services.subscription_list_upsert(
                    list_id=list_id, acquisition_campaign_id=(active or ids)[0]
                )
                counts["campaign set"] += 1
            if created:
                counts["created"] += 1
            elif before and before.name != sub_list.name:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        progress.done()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
