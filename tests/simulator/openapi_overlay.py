"""The contract the simulator is tested against: Vibes' OpenAPI excerpt plus the few
adjustments where the excerpt is wrong or silent, each with the fact that justifies it.

The excerpt (docs/vibes-openapi-excerpt.json, a copy of Vibes' published description) is
never edited: every change to it is made here, in one place, and each cites the section
of docs/vibes.md (the product's summary of Vibes' reference) that says Vibes behaves so.
"""

import copy
import json
from pathlib import Path

EXCERPT = Path(__file__).resolve().parents[2] / "docs" / "vibes-openapi-excerpt.json"

# Every operation can meet these, and the excerpt documents them nowhere or only here and
# there. docs/vibes.md, "Calling the API": HTTP Basic auth (a wrong password is 401, a
# company key the credentials are not for is 403); X-API-Version 1 rejects E.164 numbers
# and a `+` not sent as %2B is 400 "Invalid MDN format"; error bodies are
# {"errors": [{"message", "code"}]}. A body that is not what the operation takes (a string
# where an object goes) is a 400 like any other malformed request.
ALWAYS = {
    "400": "The request is malformed (body, number format, X-API-Version).",
    "401": "The credentials were refused.",
    "403": "The credentials are not for this company key.",
}
# docs/vibes.md, "Persons": get and update answer 404 for an unknown person (the excerpt
# lists it for GET only). The same holds for an unknown campaign (add participant, its
# pending participants) and an unknown callback id (PUT), as every GET of them says.
NOT_FOUND = "The resource is not known."

# docs/vibes.md, "Persons": custom field values may be a string, null, a date string, a
# single-select object {id, name, option_key, active}, or a list of those; the excerpt
# says string only.
_OPTION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "option_key": {"type": "string"},
        "active": {"type": "boolean"},
    },
}
CUSTOM_FIELD_VALUE = {
    "nullable": True,
    "anyOf": [{"type": "string"}, _OPTION, {"type": "array", "items": _OPTION}],
}


def _nullable(schema: dict, *names: str) -> None:
    for name in names:
        schema["properties"][name]["nullable"] = True


def contract() -> dict:
    spec = copy.deepcopy(json.loads(EXCERPT.read_text()))
    # The excerpt is cut out of a larger document: it lacks the version line and `info`,
    # and keeps its schemas at the top level although every $ref points into components.
    spec["openapi"] = "3.0.3"
    spec["info"] = {"title": "Vibes Platform API (excerpt)", "version": "2"}
    spec["components"] = {
        "schemas": spec.pop("schemas"),
        "securitySchemes": spec.pop("securitySchemes"),
    }
    schemas = spec["components"]["schemas"]

    for path, operations in spec["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            for status, description in ALWAYS.items():
                responses.setdefault(status, {"description": description})
            if "{" in path.removeprefix("/companies/{company_key}"):
                responses.setdefault("404", {"description": NOT_FOUND})
            for parameter in operation.get("parameters", []):
                # docs/vibes.md, "Calling the API": the version is "1" (the default) or
                # "2"; the excerpt's default is the number 1, not a string.
                if parameter["name"] == "X-API-Version":
                    parameter["schema"] = {"type": "string", "enum": ["1", "2"]}

    # docs/vibes.md, "Persons": update is partial and a field set to null is removed; the
    # number can be set to null (erasure sets the number, carrier, external id and custom
    # fields to null). So a person read back has nulls where the excerpt says string.
    for name in ("personRequest", "personResponse"):
        person = schemas[name]
        _nullable(person, "external_person_id", "mobile_phone", "custom_fields")
        _nullable(person["properties"]["mobile_phone"], "mdn", "carrier_code")
        person["properties"]["custom_fields"]["additionalProperties"] = CUSTOM_FIELD_VALUE
    schemas["addParticipantRequest"]["properties"]["custom_fields"]["additionalProperties"] = (
        CUSTOM_FIELD_VALUE
    )
    # A campaign without an end has no end date; a registration's start and end dates are
    # "leave blank" in the request schemas, and come back null (docs/vibes.md, "Callbacks":
    # the registration fields).
    _nullable(schemas["acquisitionResponse"], "end_date", "start_date")
    callback = schemas["callbackResponse"]["properties"]
    for name in ("start_date", "end_date"):
        callback.setdefault(name, {"type": "string"})["nullable"] = True
    return spec
