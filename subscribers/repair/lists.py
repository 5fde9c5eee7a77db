"""Copy Vibes' subscription lists and their acquisition campaigns into the database.

Lists are created in the Vibes UI, never by API (docs/vibes.md), so this is how a new
list arrives: new lists are added (not offered publicly until staff say so), names are
updated, and a list without a web acquisition campaign gets the first active one.
"""

from collections import Counter
from collections.abc import Callable

from callbacks.follow import registration_request

from .. import services
from ..models import SubscriptionList
from ..vibes import VibesClient, VibesError


def lists_sync(
    client: VibesClient,
    *,
    on_list: Callable[[], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Counter:
    """Read every list (raises ``VibesError`` when Vibes does not answer the list of
    lists); return counts by outcome."""
    remote = client.get_lists()
    counts = Counter({"created": 0, "updated": 0, "campaign set": 0, "unchanged": 0, "errors": 0})
    for item in remote:
        if on_list:
            on_list()
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
            if on_error:
                on_error(f"list {list_id}: campaigns not read: {exc}")
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
    if counts["created"] or counts["campaign set"]:
        registration_request()  # the new lists' and campaigns' callbacks, from the worker
    return counts
