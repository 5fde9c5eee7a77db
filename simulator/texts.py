"""The Event API (``POST /companies/{ck}/events``) and the phones' inboxes.

As docs/vibes.md ("Texts of our own") describes Vibes: an event names an ``event_type``
(letters, digits, ``-`` and ``_``, case-insensitive), our ``event_id`` and ``event_data``,
in which one of ``mdn``, ``person_key``, ``person_id`` or ``external_person_id`` names the
recipient; at most 16 KB; 202 with the event id. What happens next is reported to the
``event_processed`` registrations: an event type the simulator knows (an API-triggered
campaign, ``event_types``) texts the number, and is a routing success; an unknown event
type (``no_route_rules``), a person key or id the account does not have
(``person_not_found``), a landline (``carrier_not_supported``) or an event id used before
is a routing failure. A number is texted whether or not the account has a person for it
(the code proving a new number goes to a number Vibes does not know yet): the reference
does not say, so docs/vibes.md marks it assumed.

A text is kept in ``inbox`` (the phone's inbox, read through the control API) and logged
by the ``simulator.texts`` logger, which ``make run`` prints. Events are emitted after
the 202, from the delivery thread's queue, as Vibes reports them later.
"""

import json
import logging
import re
from collections import deque

from .errors import ApiError
from .mdn import parse_mdn
from .records import api_date

log = logging.getLogger("simulator.texts")

MAX_EVENT_BYTES = 16 * 1024
EVENT_TYPE = re.compile(r"[A-Za-z0-9_-]{1,100}")
RECIPIENT_FIELDS = ("mdn", "person_key", "person_id", "external_person_id", "vibes_device_id")
INBOX_SIZE = 1000

#: The API-triggered campaigns ``make run`` and the tests know, and what each texts
#: (``{{ field }}`` is replaced by that field of ``event_data``, as a Liquid template does).
DEFAULT_EVENT_TYPES = {
    "prefs_number_code": "Your code to confirm this number: {{ code }}",
    "prefs_preference_link": "Your text preferences: {{ link }}",
}
_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def event_problem(body, size: int) -> str | None:
    """Why Vibes would refuse this event body (400), or None."""
    if size > MAX_EVENT_BYTES:
        return f"An event is at most {MAX_EVENT_BYTES} bytes"
    if not isinstance(body, dict):
        return "The body must be a JSON object"
    event_id, event_type = body.get("event_id"), body.get("event_type")
    data = body.get("event_data")
    if not isinstance(event_id, str) or not event_id.strip():
        return "event_id is required"
    if not isinstance(event_type, str) or not EVENT_TYPE.fullmatch(event_type):
        return "event_type is required: letters, digits, '-' and '_'"
    if not isinstance(data, dict):
        return "event_data must be an object"
    named = [name for name in RECIPIENT_FIELDS if data.get(name) not in (None, "")]
    if len(named) != 1:
        return f"event_data must name the recipient by one of {', '.join(RECIPIENT_FIELDS)}"
    return None


class TextsMixin:
    def texts_reset(self) -> None:
        """Empty the inboxes and forget the event ids (the event types stay)."""
        if not hasattr(self, "event_types"):
            self.event_types: dict[str, str] = dict(DEFAULT_EVENT_TYPES)
        self.inbox: deque[dict] = deque(maxlen=INBOX_SIZE)
        self.event_ids: set[str] = set()

    def event_types_set(self, types: dict[str, str]) -> dict:
        """Replace the known event types (name -> message template)."""
        with self.lock:
            self.event_types = {str(k).lower(): str(v) for k, v in types.items()}
            return dict(self.event_types)

    def event_post(self, body, size: int, *, version: int = 2) -> dict:
        problem = event_problem(body, size)
        if problem:
            raise ApiError(400, problem, 4001)
        if body["event_data"].get("mdn"):
            body["event_data"]["mdn"] = parse_mdn(body["event_data"]["mdn"], version=version)
        with self.lock:
            event_id, data = body["event_id"], body["event_data"]
            event_type = body["event_type"].lower()
            repeated = event_id in self.event_ids
            self.event_ids.add(event_id)
            mdn = self._event_mdn(data)
            template = self.event_types.get(event_type)
            if repeated:
                outcome = ("failed", "duplicate_event_id")
            elif template is None:
                outcome = ("failed", "no_route_rules")
            elif not mdn:
                outcome = ("failed", "person_not_found")
            elif mdn in self.landlines:
                outcome = ("failed", "carrier_not_supported")
            else:
                outcome = ("processing", "accepted_by_event_triggered_message")
                self._text_phone(mdn, _render(template, data), event_id, event_type)
            processed = {
                "event_id": event_id,
                "event_type": body["event_type"],
                "event_data": data,
                "action": {"type": "routing", "status": outcome[0], "status_reason": outcome[1]},
            }
            scope = {"event_type": body["event_type"]}  # a registration may name one type
            self.emit("event_processed", {"event_processed": processed}, scope)
            return {"event_id": event_id}

    def inbox_of(self, mdn: str | None = None) -> list[dict]:
        with self.lock:
            return [dict(t) for t in self.inbox if mdn is None or t["mdn"] == mdn]

    def _event_mdn(self, data: dict) -> str | None:
        """The number the event names, directly or through a person of the account."""
        if data.get("mdn"):
            return data["mdn"]
        person = None
        if data.get("person_key"):
            person = self.persons.get(str(data["person_key"]))
        elif data.get("person_id"):
            person = self.person_by_id(str(data["person_id"]))
        elif data.get("external_person_id"):
            person = self._by_external(str(data["external_person_id"]))
        return person.mdn if person is not None else None

    def _text_phone(self, mdn: str, message: str, event_id: str, event_type: str) -> None:
        self.inbox.append(
            {
                "mdn": mdn,
                "text": message,
                "event_id": event_id,
                "event_type": event_type,
                "at": api_date(self.now()),
            }
        )
        log.warning("TEXT to %s: %s", mdn, message)


def event_types_from(entries) -> dict[str, str]:
    """Event types from ``name`` or ``name=template`` entries (``SIM_EVENT_TYPES``); a name
    alone texts the fields of its event besides the recipient."""
    found = {}
    for entry in entries:
        name, _, template = str(entry).partition("=")
        if name.strip():
            found[name.strip().lower()] = template.strip()
    return found


def _render(template: str, data: dict) -> str:
    if not template:
        shown = {k: v for k, v in data.items() if k not in RECIPIENT_FIELDS}
        return " ".join(f"{k}: {v}" for k, v in shown.items())

    def field(match):
        value = data.get(match.group(1))
        return value if isinstance(value, str) else json.dumps(value) if value is not None else ""

    return _FIELD.sub(field, template)
