"""Read a Vibes callback body leniently and normalise it.

Vibes' payloads drift: two names for the type, three for the person id, two for the
external id, timestamps in half a dozen shapes, numbers sent as strings. Everything here
is pure (no database), never raises anything but ``Rejected``, and ignores fields it does
not know, as Vibes asks receivers to do.
"""

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from subscribers.vibes.dates import parse_timestamp

# What every event needs to be applied at most once: its type and its id.
REQUIRED = ("an event type (callback_type or event_type)", "an event_id")


class Rejected(Exception):  # noqa: N818 - it is an outcome, not a programming error
    """The body can never be processed: not JSON, or missing what every event needs."""


@dataclass(frozen=True)
class ParsedEvent:
    callback_type: str
    event_id: str
    event_date: datetime | None
    callback_id: str
    delivery_attempt: int | None
    payload: dict = field(repr=False)

    @property
    def dedupe_key(self) -> str:
        # Two of Vibes' published examples share one event_id for two different events: the type
        # is part of the key.
        return f"{self.callback_type}:{self.event_id}"[:200]


def text(value, max_length: int | None = None) -> str:
    """A scalar as a stripped string ("" for missing, objects, lists and booleans)."""
    if value is None or isinstance(value, bool | dict | list):
        return ""
    out = str(value).strip()
    return out[:max_length] if max_length else out


def obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def decode_body(raw: bytes, content_type: str = "") -> str:
    """The body as text. JSON is UTF-8 whatever the header says, so UTF-8 (a byte-order
    mark tolerated) is tried first; only bytes that are not UTF-8 are read in the declared
    charset, when Python knows it; anything else keeps its undecodable bytes as U+FFFD."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for part in content_type.split(";")[1:]:
        name, _, val = part.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            try:
                return raw.decode(val.strip().strip('"'))
            except (LookupError, UnicodeDecodeError):
                break
    return raw.decode("utf-8", errors="replace")


# PostgreSQL refuses NUL in text and in jsonb; a lone half of a surrogate pair (a name cut
# in the middle of an emoji) cannot be encoded at all. Both become U+FFFD.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_for_storage(value):
    """``value`` with every character a JSON column cannot hold replaced, the rest kept."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {clean_for_storage(k): clean_for_storage(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_for_storage(v) for v in value]
    return value


def _refuse_constant(name: str):
    raise Rejected(f"The body is not valid JSON: {name} is not a JSON number.")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise Rejected(f"The body is not valid JSON: {text[:40]} is not a JSON number we can keep.")
    return number


def _may_hold_unstorable(body: str) -> bool:
    lowered = body.lower()
    return "\x00" in body or "\\u0000" in body or "\\ud" in lowered


def resolve_type(data: dict) -> str:
    """``callback_type`` (newer) or ``event_type`` (older).

    When both are present and disagree on an ack event (one of Vibes' examples says
    ``ack_participant_added`` in one and ``ack_participant_changed`` in the other), the
    participant's status decides: PENDING is an add, CONFIRMED or REJECTED a change.
    """
    callback_type = text(data.get("callback_type"), 64).lower()
    event_type = text(data.get("event_type"), 64).lower()
    acks = {"ack_participant_added", "ack_participant_changed"}
    if callback_type != event_type and {callback_type, event_type} <= acks:
        status = text(obj(data.get("participant")).get("status")).upper()
        if status == "PENDING":
            return "ack_participant_added"
        if status in ("CONFIRMED", "REJECTED"):
            return "ack_participant_changed"
    return callback_type or event_type


def parse_event(body: str) -> ParsedEvent:
    """Parse and normalise a callback body, or raise ``Rejected`` with the reason."""
    if not body.strip():
        raise Rejected("The body is empty; a Vibes callback is a JSON object.")
    try:
        data = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite)
    except ValueError as exc:
        raise Rejected(f"The body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise Rejected("The body is not valid JSON: nested too deeply.") from None
    if not isinstance(data, dict):
        raise Rejected(f"The body is JSON but not an object (got {type(data).__name__}).")
    if _may_hold_unstorable(body):
        try:
            data = clean_for_storage(data)
        except RecursionError:
            raise Rejected("The body is not valid JSON: nested too deeply.") from None
    callback_type = resolve_type(data)
    event_id = text(data.get("event_id"), 128)
    missing = [
        need for need, have in zip(REQUIRED, (callback_type, event_id), strict=True) if not have
    ]
    if missing:
        raise Rejected(f"The event lacks {' and '.join(missing)}.")
    attempt = text(data.get("delivery_attempt"))
    return ParsedEvent(
        callback_type=callback_type,
        event_id=event_id,
        event_date=parse_timestamp(data.get("event_date")),
        callback_id=text(data.get("callback_id"), 128),
        delivery_attempt=int(attempt) if attempt.isdigit() and len(attempt) < 10 else None,
        payload=data,
    )


WITHHELD = "(withheld)"


def withhold_event_data(parsed: ParsedEvent, body: str) -> tuple[ParsedEvent, str]:
    """An ``event_processed`` echoes the ``event_data`` of the event it reports on, and
    ours carry a one-time code or a preference link (subscribers/outbox/texts.py), which
    are never kept. Every value but the number is withheld from the stored payload, and
    the stored body is that payload rather than the body as sent."""
    processed = obj(parsed.payload.get("event_processed"))
    data = obj(processed.get("event_data"))
    if parsed.callback_type != "event_processed" or not data:
        return parsed, body
    kept = {key: value if key == "mdn" else WITHHELD for key, value in data.items()}
    payload = {**parsed.payload, "event_processed": {**processed, "event_data": kept}}
    return dataclasses.replace(parsed, payload=payload), json.dumps(payload)


# Where each type keeps the person it is about.
def person_of(payload: dict) -> dict:
    """The person object of any event type (may be empty). A text's ``participant`` is
    the sending phone itself, a number with no person: that number is returned as
    ``{"mdn": …}`` (docs/vibes.md, "Callbacks")."""
    for container in ("subscription", "participant"):
        inner = obj(payload.get(container))
        if inner:
            person = obj(inner.get("person"))
            if not person and mdn_of(inner):
                return {"mdn": mdn_of(inner)}
            return person
    return obj(payload.get("person"))


@dataclass(frozen=True)
class TextMessage:
    """What an ``unmatched_message_received`` says: who texted (a number only), the
    words, and when Vibes received them (docs/vibes.md, "Callbacks")."""

    mdn: str
    words: str
    received_at: datetime | None


def text_message(payload: dict) -> TextMessage:
    """The documented body: ``participant {mdn, carrier_id}``, ``message`` (the text, a
    string) and ``receipt_date``. Nothing else names the sender: a person object, if
    one ever came, is not read (the number alone says whose phone it was)."""
    return TextMessage(
        mdn=mdn_of(obj(payload.get("participant"))),
        words=text(payload.get("message"), 2000),
        received_at=parse_timestamp(payload.get("receipt_date")),
    )


def mdn_of(person: dict) -> str:
    return text(obj(person.get("mobile_phone")).get("mdn"), 32) or text(person.get("mdn"), 32)
