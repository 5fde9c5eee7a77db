"""The shapes of request bodies, checked the way Vibes checks them: a wrong type is a 400
that names the field, never a crash (docs/vibes.md, "Calling the API": error bodies).

Each helper takes the body (or part of it) and returns the value when it has the right
type; ``ApiError(400)`` otherwise.
"""

from .errors import ApiError

BAD_TYPE = 4002


def _bad(name: str, expected: str) -> ApiError:
    return ApiError(400, f"{name} must be {expected}", BAD_TYPE)


def text(body: dict, name: str, *, where: str = "", nullable: bool = True) -> str | None:
    """``body[name]`` when it is a string (or null, or absent)."""
    value = body.get(name)
    if value is None and nullable or isinstance(value, str):
        return value
    raise _bad(where + name, "a string" + (" or null" if nullable else ""))


def obj(body: dict, name: str, *, where: str = "", nullable: bool = True) -> dict | None:
    """``body[name]`` when it is a JSON object (or null, or absent)."""
    value = body.get(name)
    if value is None and nullable or isinstance(value, dict):
        return value
    raise _bad(where + name, "an object" + (" or null" if nullable else ""))


# A single-select value (docs/vibes.md, "Persons"): {id, name, option_key, active}.
_OPTION_FIELDS = {"id": str, "name": str, "option_key": str, "active": bool}


def _is_option(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, _OPTION_FIELDS.get(k, object)) or v is None for k, v in value.items()
    )


def custom_fields(value) -> dict | None:
    """Custom field values are a string, null, a single-select object or a list of those;
    a number or a boolean is refused (Vibes takes the string "3", not 3)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("custom_fields", "an object")
    for key, field in value.items():
        ok = (
            field is None
            or isinstance(field, str)
            or _is_option(field)
            or isinstance(field, list)
            and all(_is_option(v) for v in field)
        )
        if not ok:
            raise _bad(f"custom_fields.{key}", "a string, null, an option object or a list of them")
    return value


def person(body: dict) -> None:
    """A person body (add, update): every field it has is of the right type."""
    text(body, "external_person_id")
    text(body, "timezone")
    phone = obj(body, "mobile_phone")
    if phone is not None:
        text(phone, "mdn", where="mobile_phone.")
        text(phone, "carrier_code", where="mobile_phone.")
    custom_fields(body.get("custom_fields"))


def participant(body: dict) -> None:
    """An add-participant body: a number, a ``person_id`` or an ``external_person_id``."""
    text(body, "person_id")
    text(body, "external_person_id")
    phone = obj(body, "mobile_phone")
    if phone is not None:
        text(phone, "mdn", where="mobile_phone.")
    custom_fields(body.get("custom_fields"))


def callback_registration(body: dict) -> None:
    text(body, "callback_type", nullable=False)
    destination = obj(body, "destination", nullable=False)
    for name in ("url", "method", "content_type"):
        text(destination, name, where="destination.")
    obj(body, body["callback_type"])
    for name in ("start_date", "end_date"):
        text(body, name)
    kind = body["callback_type"]
    scope = body.get(kind) or {}
    for name, value in scope.items():
        if not isinstance(value, str):
            raise _bad(f"{kind}.{name}", "a string")
    if kind in REQUIRED_FILTER:
        if not isinstance(body.get(kind), dict):
            raise ApiError(400, f"{kind} (an object) is required for this callback type", 4010)
        for name in REQUIRED_FILTER[kind]:
            _required(scope.get(name), f"{kind}.{name}")


# The filter object a type must be registered with, and the keys it must hold (the
# excerpt's callbackRequest-* schemas; docs/vibes.md, "Callback registrations"): one list,
# one campaign, one short or long code; event_processed's object may be empty.
REQUIRED_FILTER = {
    "subscription_added": ("list_id",),
    "subscription_removed": ("list_id",),
    "ack_participant_added": ("campaign_id",),
    "ack_participant_changed": ("campaign_id",),
    "unmatched_message_received": ("source_code",),
    "event_processed": (),
}


# The object each test event carries, by callback type (the excerpt's testcallbackRequest-*).
TEST_OBJECT = {
    "subscription_added": "subscription",
    "subscription_removed": "subscription",
    "person_added": "person",
    "person_updated": "person",
    "subscription_list_added": "subscription_list",
    "subscription_list_updated": "subscription_list",
    "ack_participant_added": "participant",
    "ack_participant_changed": "participant",
}


def _required(value, name: str) -> str:
    if not value:
        raise ApiError(400, f"{name} is required for this callback type", 4010)
    return value


def probe_event(body: dict) -> tuple[str, str, dict, dict]:
    """``(callback_type, object name, object, scope)`` of a test-event request; the scope
    (``list_id``, ``campaign_id``) picks the registrations it goes to."""
    kind = text(body, "callback_type", nullable=False)
    key = TEST_OBJECT.get(kind, kind)
    found = obj(body, key) or {}
    where = key + "."
    scope: dict = {}
    if key == "subscription":
        sub_list = obj(found, "subscription_list", where=where) or {}
        list_id = text(sub_list, "id", where=where + "subscription_list.")
        scope["list_id"] = _required(list_id, where + "subscription_list.id")
        text(obj(found, "person", where=where) or {}, "id", where=where + "person.")
    elif key == "participant":
        text(found, "id", where=where)
        text(obj(found, "mobile_phone", where=where) or {}, "mdn", where=where + "mobile_phone.")
        campaign = obj(found, "acquisition_campaign", where=where) or {}
        for name in ("api_key", "description", "keyword"):
            text(campaign, name, where=where + "acquisition_campaign.")
        api_key = campaign.get("api_key")
        scope["campaign_id"] = _required(api_key, where + "acquisition_campaign.api_key")
        sub_list = obj(found, "subscription_list", where=where) or {}
        if text(sub_list, "id", where=where + "subscription_list."):
            scope["list_id"] = sub_list["id"]
    elif key == "person":
        for name in ("person_id", "external_person_id"):
            text(found, name, where=where)
        mobile = obj(found, "mobile", where=where) or {}
        for name in ("mdn", "carrier_code"):
            text(mobile, name, where=where + "mobile.")
        obj(found, "custom_fields", where=where)
    elif key == "subscription_list":
        for name in ("id", "name"):
            text(found, name, where=where)
    return kind, key, found, scope
