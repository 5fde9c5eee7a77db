"""person_added and person_updated: Vibes sends the whole person."""

from subscribers import services
from subscribers.rules import echo

from ..models import CallbackEvent
from ..parsing import mdn_of, obj, parse_timestamp, text
from .base import SOURCE, Outcome, Status, Unprocessable, identity_of, occurred


def person_changed(event: CallbackEvent) -> Outcome:
    """Person events are ordered by the person's own ``updated_at``: one older than what was
    last applied is kept as superseded, so a late delivery never restores stale details.
    """
    data = obj(event.payload.get("person"))
    identity = identity_of(data)
    if not identity:
        raise Unprocessable("The event names no person (no id, person_key, external id or mdn).")
    values = person_values(data)
    updated = values.get("vibes_updated_at")
    waiting = services.person_awaiting_number(identity)
    if waiting is not None:
        return Outcome(
            Status.IGNORED,
            note="The Vibes person for the new number this person asked to switch to; "
            "it applies once they confirm the number.",
            person=waiting,
        )
    known = services.person_find_for_vibes(identity)
    if known and updated and known.vibes_updated_at and updated < known.vibes_updated_at:
        return Outcome(
            Status.SUPERSEDED,
            note="Vibes updated this person after this event; its details were not applied.",
            person=known,
        )
    values, note = echo.person_values_to_apply(values, known, updated)
    person, _created = services.person_upsert_from_vibes(
        identity=identity, source=SOURCE, callback=event, occurred_at=occurred(event), **values
    )
    return Outcome(Status.APPLIED, note=note, person=person)


def person_values(data: dict) -> dict:
    """The person fields a Vibes person object sets (only those it carries)."""
    values = {}
    phone_data = obj(data.get("mobile_phone"))
    if "mdn" in phone_data or "mdn" in data:
        values["mdn"] = mdn_of(data)
    carrier = phone_data.get("carrier_code", phone_data.get("carrier_id", data.get("carrier_code")))
    if carrier is not None:
        values["carrier_code"] = text(carrier, 32)
    if isinstance(data.get("custom_fields"), dict):
        values["custom_fields"] = data["custom_fields"]
    if "timezone" in data:
        values["timezone"] = text(data.get("timezone"), 64)
    for field, names in (
        ("vibes_created_at", ("created_at", "created_date")),
        ("vibes_updated_at", ("updated_at", "updated_date")),
    ):
        moment = next((parse_timestamp(data.get(n)) for n in names if data.get(n)), None)
        if moment:
            values[field] = moment
    return values
