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
    DEFAULT_CARRIER,
    SimCallback,
    SimParticipant,
    SimPerson,
    SimSubscription,
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

# The callback types Vibes' test API fires (the excerpt's testcallbackRequest-*): it has no
# test event for unmatched messages.
TESTABLE_TYPES = CALLBACK_TYPES - {"unmatched_message_received"}


class CallbacksMixin:
    # -- callbacks --------------------------------------------------------------------
    def callback_register(
        self,
        body: dict,
        *,
        callback_id: str | None = None,
        version: int = 2,
        company_key: str | None = None,
    ) -> SimCallback:
        """Register (or, with ``callback_id``, replace) a callback under ``company_key``
        (the account's own by default). A registration made with API version 1 gets
        numbers without the country code, as at Vibes."""
        company_key = company_key or self.company_key
        shapes.callback_registration(body)
        with self.lock:
            kind = body.get("callback_type")
            if kind not in CALLBACK_TYPES:
                raise ApiError(400, f"Unknown callback_type {kind!r}", 4005)
            if kind == "unmatched_message_received":
                self._check_source_code(body[kind], company_key)
            elif company_key != self.company_key:
                raise ApiError(403, "Not authorized for this company", 4030)
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
                filter=dict(scope),
                start_date=body.get("start_date"),
                end_date=body.get("end_date"),
                created_at=previous.created_at if previous else now,
                updated_at=now,
                api_version=version,
                company_key=company_key,
            )
            self.callbacks[registration.callback_id] = registration
            return registration

    def _check_source_code(self, scope: dict, company_key: str) -> None:
        """An unmatched-message registration names a code of this account, and is made
        with the parent company key that owns the code (docs/vibes.md, "Callback
        registrations"; what Vibes answers otherwise is not documented)."""
        code, country = scope.get("source_code"), scope.get("country_code")
        if code != self.short_code or country not in (None, "", self.country_code):
            raise ApiError(
                400, f"unmatched_message_received.source_code {code}:{country} is unknown", 4013
            )
        if company_key != self.parent_company_key:
            raise ApiError(
                403,
                f"Source code {code} belongs to company {self.parent_company_key}: register "
                "its unmatched messages with that company key",
                4032,
            )

    def callbacks_of(self, company_key: str) -> list[SimCallback]:
        """The registrations listed under ``company_key``."""
        with self.lock:
            return [
                c
                for c in self.callbacks.values()
                if (getattr(c, "company_key", "") or self.company_key) == company_key
            ]

    def callback(self, callback_id: str, *, company_key: str | None = None) -> SimCallback:
        """The registration ``callback_id`` (of ``company_key``'s, when given)."""
        with self.lock:
            found = self.callbacks.get(str(callback_id))
            if found is None or company_key and found not in self.callbacks_of(company_key):
                raise ApiError(404, "Callback not found", 4044)
            return found

    def callback_delete(self, callback_id: str, *, company_key: str | None = None) -> SimCallback:
        """End a registration (the API's DELETE, or staff in Vibes' UI)."""
        with self.lock:
            found = self.callback(callback_id, company_key=company_key)
            del self.callbacks[found.callback_id]
            return found

    def callback_test(self, body: dict) -> str:
        """Fire a test event to the registrations its type and scope match."""
        kind, key, found, scope = shapes.probe_event(body)
        if kind not in TESTABLE_TYPES:
            raise ApiError(400, f"No test event for callback_type {kind!r}", 4005)
        if key == "participant":
            campaign = found.setdefault("acquisition_campaign", {})
            campaign.setdefault("id", campaign.get("api_key"))  # as real events name it
        with self.lock:
            if not any(c.matches(kind, scope) for c in self.callbacks.values()):
                raise ApiError(404, "An active callback does not exist", 4045)
            return self.emit(kind, {key: found}, scope)

    def message_unmatched(self, *, mdn: str, text: str) -> dict:
        """A text from ``mdn`` that matched no keyword: ``unmatched_message_received``."""
        with self.lock:
            body, scope = self._unmatched_body(mdn=mdn, text=text)
            event_id = self.emit("unmatched_message_received", body, scope)
            return {"event_id": event_id, **body}

    def _unmatched_body(self, *, mdn: str, text: str) -> tuple[dict, dict]:
        """The body Vibes' reference shows (docs/vibes.md, "Callbacks"): the sending
        number and its carrier, the code texted, the words as a string. No person, known
        or not. The scope is the code, which a registration's filter names."""
        person = self.person_by_mdn(mdn)
        body = {
            "participant": {
                "mdn": mdn,
                "carrier_id": (person.carrier_code if person else None) or DEFAULT_CARRIER,
            },
            "source_code": {
                "company_key": self.company_key,
                "code": self.short_code,
                "country_code": self.country_code,
                "code_type": "SC",
                "default_response": self.default_response,
                "response_sent": bool(self.default_response),
            },
            "message": text,
            "message_id": str(uuid.uuid4()),
            "txn_id": str(uuid.uuid4()),
            "receipt_date": self.now().replace(microsecond=0).isoformat(),
        }
        return body, {"source_code": self.short_code, "country_code": self.country_code}

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
