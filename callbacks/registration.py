"""Which callbacks this service asks Vibes for: every type it handles, filtered as Vibes
filters them (subscription callbacks one per list, acknowledgements one per campaign)."""

from subscribers.models import SubscriptionList

GLOBAL_TYPES = (
    "person_added",
    "person_updated",
    "subscription_list_added",
    "subscription_list_updated",
    "unmatched_message_received",
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


def callback_identity(cb: dict) -> tuple:
    kind = cb.get("callback_type")
    filt = cb.get(kind) if isinstance(cb.get(kind), dict) else {}
    return (
        kind,
        str(filt.get("list_id") or filt.get("campaign_id") or ""),
        (cb.get("destination") or {}).get("url"),
    )
