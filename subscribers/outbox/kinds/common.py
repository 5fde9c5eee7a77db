"""What the push kinds share: the stop signal, the Vibes record holding a number, and
learning the ids Vibes answers with."""

import re

from django.db import IntegrityError

from ... import services
from ...models import Person, Source
from ...vibes import errors
from ...vibes.client import VibesClient


class StopPush(errors.VibesError):
    """A push that cannot succeed without staff: stop, mark the person, don't retry."""


def fields_named(exc: errors.VibesError, fields: set[str]) -> set[str]:
    """Which of ``fields`` a 422's message or body names, as whole words (Vibes refuses a
    whole update naming a custom field it does not know: docs/vibes.md, "Persons")."""
    said = set(re.split(r"[^A-Za-z0-9_.\-]+", f"{exc.message} {exc.body}"))
    return fields & said


def holder_key(client: VibesClient, mdn: str | None) -> str | None:
    """The person_key of the Vibes person holding ``mdn``, or None."""
    if not mdn:
        return None
    try:
        found = client.find_person_by_mdn(mdn)
    except errors.NotFound:
        return None
    key = found.get("person_key") if isinstance(found, dict) else None
    return str(key) if key else None


def learn_identity(person: Person, data) -> None:
    """Keep the person_key (and legacy id) Vibes answered with."""
    if not isinstance(data, dict):
        return
    if isinstance(data.get("person"), dict):
        data = data["person"]
    learned = {}
    key = data.get("person_key")
    if key and str(key) != (person.person_key or ""):
        learned["person_key"] = str(key)
    legacy = data.get("person_id")
    if legacy and not person.vibes_person_id:
        learned["vibes_person_id"] = str(legacy)
    if not learned:
        return
    try:
        services.person_update(
            person=person, source=Source.PUSH, note="learned from Vibes", **learned
        )
    except IntegrityError as exc:
        raise StopPush(
            "Vibes answered with an id that another local person already has "
            f"({', '.join(f'{k}={v}' for k, v in learned.items())}): merge them."
        ) from exc
