"""Which callbacks this service asks Vibes for: every type it handles, filtered as Vibes
filters them (subscription callbacks one per list, acknowledgements one per campaign),
which registrations of ours are stale, and the test event that exercises each one."""

import re
from urllib.parse import unquote

from subscribers.models import SubscriptionList

GLOBAL_TYPES = (
    "person_added",
    "person_updated",
    "subscription_list_added",
    "subscription_list_updated",
    # A text that matched no keyword: registered without a filter, so every code of the
    # account reaches us.
    "unmatched_message_received",
)
PER_LIST = ("subscription_added", "subscription_removed")
PER_CAMPAIGN = ("ack_participant_added", "ack_participant_changed")

CALLBACK_PATH = "/callbacks/vibes/"
_TOKEN = re.compile(r"^/callbacks/vibes/([^/]+)/?$")


def callback_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CALLBACK_PATH}{token}/"


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
    destination = cb.get("destination") if isinstance(cb.get("destination"), dict) else {}
    return (
        kind,
        str(filt.get("list_id") or filt.get("campaign_id") or ""),
        destination.get("url"),
    )


def callback_label(cb: dict) -> str:
    kind, scope, _ = callback_identity(cb)
    return f"{kind} {scope}" if scope else str(kind)


def stale_registrations(registered: list[dict], base_url: str, tokens: list[str]) -> list[dict]:
    """Registrations pointing at this service's callback path under ``base_url`` with a
    token no longer in ``tokens`` (rotated out). Another host's registrations, or another
    path's on this host, are never stale here."""
    prefix = base_url.rstrip("/")
    stale = []
    for cb in registered:
        url = callback_identity(cb)[2]
        if not isinstance(url, str) or not url.startswith(prefix + CALLBACK_PATH):
            continue
        found = _TOKEN.match(url[len(prefix) :])
        if found and unquote(found.group(1)) not in tokens:
            stale.append(cb)
    return stale


def probe_event_body(cb: dict) -> dict:
    """The test-event request for a registration, with what Vibes needs to route it:
    ``subscription.subscription_list.id`` for a list's callbacks and
    ``participant.acquisition_campaign.api_key`` (the campaign id) for a campaign's."""
    kind, scope, _ = callback_identity(cb)
    body: dict = {"callback_type": kind}
    if kind in PER_LIST:
        body["subscription"] = {"subscription_list": {"id": scope}}
    elif kind in PER_CAMPAIGN:
        body["participant"] = {"acquisition_campaign": {"api_key": scope}}
    return body
