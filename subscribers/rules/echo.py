"""Keeping local edits from a late echo of an older Vibes state."""

from datetime import datetime


def edited_after(local_edits: dict, moment: datetime) -> set[str]:
    """The pushed fields changed here after ``moment`` (``Person.local_edits``: field, or
    ``custom_fields.<key>``, to an ISO timestamp)."""
    newer = set()
    for field, when in (local_edits or {}).items():
        try:
            stamped = datetime.fromisoformat(when)
        except (TypeError, ValueError):
            continue
        if stamped > moment:
            newer.add(field)
    return newer


def without_newer_local_edits(
    values: dict, *, current: dict, local_edits: dict, updated: datetime
) -> tuple[dict, set[str]]:
    """``values`` (from Vibes, reflecting its state at ``updated``) less the fields changed
    here after that moment: such an event is an echo of an older state, often our own
    earlier push, and the newer local value is what Vibes gets. ``current`` holds the
    person's present values. Returns the values to apply and the names of the fields kept
    where they differ."""
    newer = edited_after(local_edits, updated)
    if not newer:
        return values, set()
    values, kept = dict(values), set()
    for field in [f for f in values if f in newer]:
        if values.pop(field) != current.get(field):
            kept.add(field)
    if isinstance(values.get("custom_fields"), dict):
        fields, present = dict(values["custom_fields"]), current.get("custom_fields") or {}
        for key in [k for k in fields if f"custom_fields.{k}" in newer]:
            if fields.pop(key) != present.get(key):
                kept.add(f"custom_fields.{key}")
        values["custom_fields"] = fields
    return values, kept


KEPT_NOTE = "Kept the edits made here after Vibes' update: "


def person_values_to_apply(values: dict, person, updated: datetime | None) -> tuple[dict, str]:
    """What a Vibes person event dated ``updated`` may change on ``person`` (an object
    with the person's fields; nothing is read from the database), and the note that says
    which newer local edits it left alone (empty when none)."""
    if person is None or updated is None:
        return values, ""
    current = {field: getattr(person, field, None) for field in values}
    values, kept = without_newer_local_edits(
        values, current=current, local_edits=person.local_edits, updated=updated
    )
    return values, (KEPT_NOTE + ", ".join(sorted(kept))) if kept else ""
