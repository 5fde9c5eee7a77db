"""The push of a person's details: their current number, external id and custom fields."""

from ... import custom_values, services
from ...models import Person
from ...vibes import errors
from ...vibes.client import VibesClient
from ..models import Push
from .common import StopPush, fields_named, holder_key, learn_identity


def person_payload(person: Person, removed=()) -> dict:
    """The person's current pushed fields, plus nulls for what was removed locally."""
    payload: dict = {}
    if person.external_person_id:
        payload["external_person_id"] = person.external_person_id
    elif "external_person_id" in removed:
        payload["external_person_id"] = None
    if person.mdn:
        payload["mobile_phone"] = {"mdn": person.mdn}
        if person.carrier_code:
            payload["mobile_phone"]["carrier_code"] = person.carrier_code
    elif "mdn" in removed:
        payload["mobile_phone"] = {"mdn": None}
    fields = dict(person.custom_fields or {})
    for name in removed:
        if name.startswith("custom_fields.") and name[14:] not in fields:
            fields[name[14:]] = None
    # Only keys a definition names: Vibes answers 422 to an unknown one, which would stop
    # every later change of this person too; unknown keys came from Vibes and stay there.
    fields = custom_values.pushable(fields)
    if fields:
        payload["custom_fields"] = fields
    return payload


def _without_nulls(payload: dict) -> dict:
    out = {k: v for k, v in payload.items() if v is not None}
    if isinstance(out.get("mobile_phone"), dict) and out["mobile_phone"].get("mdn") is None:
        out.pop("mobile_phone")
    if "custom_fields" in out:
        out["custom_fields"] = {k: v for k, v in out["custom_fields"].items() if v is not None}
    return out


def push_person(*, push: Push, client: VibesClient, started_at) -> str:
    """Send the person's current pushed fields. A 422 naming custom fields Vibes does not
    know marks those fields refused (staff see it on the field) and sends the rest again:
    one field created here too early never stops a person's other changes."""
    person = push.person  # loaded with the claimed push: the current state
    payload = person_payload(person, push.removed)
    refused: set[str] = set()
    while True:
        if not payload:
            return "nothing to send"
        try:
            how = _send(person, payload, client)
        except errors.Unprocessable as exc:
            named = fields_named(exc, set(payload.get("custom_fields") or {}))
            if not named:
                raise
            services.custom_fields_refused(keys=named, reason=exc.message or str(exc))
            refused |= named
            payload = _without_fields(payload, named)
            continue
        if refused:
            how += f"; custom field(s) Vibes does not know left out: {', '.join(sorted(refused))}"
        return how


def _without_fields(payload: dict, keys: set[str]) -> dict:
    fields = {k: v for k, v in (payload.get("custom_fields") or {}).items() if k not in keys}
    out = {k: v for k, v in payload.items() if k != "custom_fields"}
    return {**out, "custom_fields": fields} if fields else out


def _send(person: Person, payload: dict, client: VibesClient) -> str:
    try:
        key = person.person_key or _key_by_number(person, client)
        if key:
            data = client.update_person(payload, person_key=key)
            how = "updated by person_key" if person.person_key else "updated by number"
        elif person.external_person_id:
            data = client.update_person(payload, external_person_id=person.external_person_id)
            how = "updated by external id"
        elif person.mdn:
            data, created = client.add_person(_without_nulls(payload))
            how = "added" if created else "merged by number"
        else:
            return "nothing Vibes could match"
    except errors.NotFound:
        if not person.mdn:
            raise StopPush(
                "Vibes does not know this person and there is no number to add them by."
            ) from None
        data, created = client.add_person(_without_nulls(payload))
        how = "not found, so added" if created else "not found, so merged by number"
    learn_identity(person, data)
    return how


def _key_by_number(person: Person, client: VibesClient) -> str | None:
    """Without a key, the Vibes person holding the number, when an external id would
    otherwise pick the record: after a number change our external id may still name the
    Vibes person of the old number, and a PUT there answers 409 "MDN cannot be changed"."""
    if not (person.mdn and person.external_person_id):
        return None
    return holder_key(client, person.mdn)
