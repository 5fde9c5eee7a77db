"""Callback registrations (``/config/callbacks``) and the events the state emits to them.

Each event gets one ``event_id`` and a strictly increasing ``event_date``; it is recorded
in ``state.events`` and queued once for every registration whose type and filter
(``list_id``, ``campaign_id``) match it.
"""

import uuid

from . import shapes
from .delivery import Delivery
from .errors import ApiError
from .records import (
    SimCallback,
    SimParticipant,
    SimPerson,
    SimSubscription,
    api_date,
    event_date,
    v1_mdn,
)

CALLBACK_TYPES = {
    "person_added",
    "person_updated",
    "subscription_added",
    "subscription_removed",
    "subscription_list_added",
    "subscription_list_updated",
    "ack_participant_added",
    "ack_participant_changed",
    "unmatched_message_received",
    "event_processed",
}

# What a registration may be filtered by: a list, a campaign, (unmatched messages) the
# short code texted, or (event_processed) the event type.
FILTER_KEYS = {"list_id", "campaign_id", "source_code", "event_type"}


class CallbacksMixin:
    # -- callbacks --------------------------------------------------------------------
    def callback_register(
        self, body: dict, *, callback_id: str | None = None, version: int = 2
    ) -> SimCallback:
        """Register (or, with ``callback_id``, replace) a callback. A registration made
        with API version 1 gets numbers without the country code, as at Vibes."""
        shapes.callback_registration(body)
        with self.lock:
            kind = body.get("callback_type")
            if kind not in CALLBACK_TYPES:
                raise ApiError(400, f"Unknown callback_type {kind!r}", 4005)
            dest = body["destination"]
            url = dest.get("url")
            method = str(dest.get("method") or "POST").upper()
            content_type = dest.get("content_type") or "application/json"
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ApiError(400, "destination.url must be an http(s) URL", 4006)
            if method not in {"POST", "PUT"}:
                raise ApiError(400, "destination.method must be POST or PUT", 4007)
            if content_type not in {"application/json", "text/json"}:
                raise ApiError(400, "destination.content_type must be JSON", 4008)
            limit = getattr(self, "callback_limit", None)
            if callback_id is None and limit and len(self.callbacks) >= limit:
                raise ApiError(
                    400, f"At most {limit} callback registrations: delete one first", 4011
                )
            scope = body.get(kind) or {}
            now = self.now()
            previous = self.callbacks.get(callback_id) if callback_id else None
            registration = SimCallback(
                callback_id=callback_id or str(uuid.uuid4()),
                callback_type=kind,
                url=url,
                method=method,
                content_type=content_type,
                filter={k: v for k, v in scope.items() if k in FILTER_KEYS},
                start_date=body.get("start_date"),
                end_date=body.get("end_date"),
                created_at=previous.created_at if previous else now,
                updated_at=now,
                api_version=version,
            )
            self.callbacks[registration.callback_id] = registration
            return registration

    def callback(self, callback_id: str) -> SimCallback:
        with self.lock:
            found = self.callbacks.get(str(callback_id))
            if found is None:
                raise ApiError(404, "Callback not found", 4044)
            return found

    def callback_test(self, body: dict) -> str:
        """Fire a test event to the registrations its type and scope match."""
        kind, key, found, scope = shapes.probe_event(body)
        if kind not in CALLBACK_TYPES:
            raise ApiError(400, f"Unknown callback_type {kind!r}", 4005)
        if key == "participant":
            campaign = found.setdefault("acquisition_campaign", {})
            campaign.setdefault("id", campaign.get("api_key"))  # as real events name it
        with self.lock:
            if not any(c.matches(kind, scope) for c in self.callbacks.values()):
                raise ApiError(404, "An active callback does not exist", 4045)
            return self.emit(kind, {key: found}, scope)

    def message_unmatched(self, *, mdn: str, text: str) -> dict:
        """A text from ``mdn`` that matched no keyword: ``unmatched_message_received``
        with the sender's person when Vibes knows the number (the shape README's
        simulator section states, which the product's parser reads)."""
        with self.lock:
            person = self.person_by_mdn(mdn)
            message = {
                "mdn": mdn,
                "message_text": text,
                "short_code": self.short_code,
                "received_date": api_date(self.now()),
            }
            if person is not None:
                message["person"] = {
                    "id": person.person_id,
                    "person_key": person.person_key,
                    "external_person_id": person.external_person_id,
                    "url": person.url(self.company_key),
                }
            scope = {"source_code": self.short_code}
            event_id = self.emit("unmatched_message_received", {"message": message}, scope)
            return {"event_id": event_id, "message": message}

    def emit(self, kind: str, obj: dict, scope: dict) -> str:
        """Record an event and queue it for every registration that wants it."""
        with self.lock:
            event_id = str(uuid.uuid4())
            date = event_date(self.now())
            self.events.append({"event_id": event_id, "callback_type": kind, "event_date": date})
            for registration in self.callbacks.values():
                if not registration.matches(kind, scope):
                    continue
                payload = {
                    "event_id": event_id,
                    "callback_type": kind,
                    "event_type": kind,
                    "event_date": date,
                    "callback_id": registration.callback_id,
                    "delivery_attempt": "1",
                    **(obj if registration.api_version >= 2 else _national_numbers(obj)),
                }
                self.deliverer.enqueue(
                    Delivery(
                        payload=payload,
                        url=registration.url,
                        method=registration.method,
                        content_type=registration.content_type,
                    )
                )
            return event_id

    def _emit_person(self, kind: str, person: SimPerson) -> None:
        self.emit(kind, {"person": person.to_api(self.company_key)}, {})

    def _emit_subscription(self, kind: str, sub: SimSubscription) -> None:
        person, sub_list = self.persons[sub.person_key], self.lists[sub.list_id]
        obj = {"subscription": sub.to_callback(self.company_key, person, sub_list)}
        self.emit(kind, obj, {"list_id": sub.list_id})

    def _emit_participant(self, kind: str, participant: SimParticipant) -> None:
        person = self.persons[participant.person_key]
        campaign = self.campaigns[participant.campaign_id]
        obj = {"participant": participant.to_callback(self.company_key, person, campaign)}
        self.emit(kind, obj, {"campaign_id": campaign.id, "list_id": campaign.list_id})


def _national_numbers(value):
    """A copy with every ``mdn`` in version 1's form (no ``+1``)."""
    if isinstance(value, dict):
        return {
            k: v1_mdn(v) if k == "mdn" and isinstance(v, str) else _national_numbers(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_national_numbers(v) for v in value]
    return value
