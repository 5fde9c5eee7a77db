"""Reading registrations as Vibes lists them: where they point, what they are filtered by,
which of ours are stale, and the test event that exercises a type."""

import re
import uuid
from urllib.parse import unquote

from .plan import EVENT_PROCESSED, PER_CAMPAIGN, PER_LIST

CALLBACK_PATH = "/callbacks/vibes/"
_TOKEN = re.compile(r"^/callbacks/vibes/([^/]+)/?$")


def callback_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CALLBACK_PATH}{token}/"


def callback_identity(cb: dict) -> tuple:
    """``(type, scope, url)``: the scope is the list id, campaign id or source code the
    registration is filtered by (Vibes echoes the filter under the type's name)."""
    kind = cb.get("callback_type")
    filt = cb.get(kind) if isinstance(cb.get(kind), dict) else {}
    destination = cb.get("destination") if isinstance(cb.get("destination"), dict) else {}
    scope = filt.get("list_id") or filt.get("campaign_id") or filt.get("source_code") or ""
    return (kind, str(scope), destination.get("url"))


def callback_label(cb: dict) -> str:
    kind, scope, _ = callback_identity(cb)
    return f"{kind} {scope}" if scope else str(kind)


def is_ours(cb: dict, base_url: str) -> bool:
    """Pointing at this service's callback path under ``base_url`` (any token)."""
    url = callback_identity(cb)[2]
    prefix = base_url.rstrip("/") + CALLBACK_PATH
    return isinstance(url, str) and url.startswith(prefix)


def stale_registrations(registered: list[dict], base_url: str, tokens: list[str]) -> list[dict]:
    """Registrations pointing at this service's callback path under ``base_url`` with a
    token no longer in ``tokens`` (rotated out). Another host's registrations, or another
    path's on this host, are never stale here."""
    prefix = base_url.rstrip("/")
    stale = []
    for cb in registered:
        if not is_ours(cb, base_url):
            continue
        found = _TOKEN.match(callback_identity(cb)[2][len(prefix) :])
        if found and unquote(found.group(1)) not in tokens:
            stale.append(cb)
    return stale


def probe_event_body(callback_type: str, scope: str = "") -> dict:
    """The test-event request for a type (the excerpt's testcallbackRequest-*), with what
    Vibes needs to route it: ``subscription.subscription_list.id`` for a list's callbacks,
    ``participant.acquisition_campaign.api_key`` (the campaign id) for a campaign's, and
    an ``event_processed.event_id`` of ours for event outcomes."""
    body: dict = {"callback_type": callback_type}
    if callback_type in PER_LIST:
        body["subscription"] = {"subscription_list": {"id": scope}}
    elif callback_type in PER_CAMPAIGN:
        body["participant"] = {"acquisition_campaign": {"api_key": scope}}
    elif callback_type == EVENT_PROCESSED:
        body["event_processed"] = {"event_id": f"test-{uuid.uuid4()}", "event_data": {}}
    return body
