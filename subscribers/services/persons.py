"""Services that write persons: details, numbers, links, and the persons Vibes names."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .. import custom_values, phone, suppression
from ..models import Person, Source, SubscriptionEvent, number_holders
from ..outbox.origin import written_by
from ..preferences.evidence import Evidence
from . import erasure
from .history import history_record, is_from_vibes, jsonable

# Fields of Person that services may set, and whether a change is a "details" change.
_PERSON_FIELDS = (
    "mdn",
    "external_person_id",
    "custom_fields",
    "carrier_code",
    "timezone",
    "person_key",
    "vibes_person_id",
    "vibes_created_at",
    "vibes_updated_at",
    "pending_mdn",
)
_IDENTIFIERS = ("person_key", "vibes_person_id", "external_person_id")


@dataclass(frozen=True)
class VibesIdentity:
    """How Vibes named a person, in whatever fields a payload carried."""

    person_key: str | None = None
    vibes_person_id: str | None = None
    external_person_id: str | None = None
    mdn: str | None = None

    def cleaned(self) -> "VibesIdentity":
        def c(v):
            v = str(v).strip() if v is not None else ""
            return v or None

        return VibesIdentity(
            person_key=c(self.person_key),
            vibes_person_id=c(self.vibes_person_id),
            external_person_id=c(self.external_person_id),
            mdn=phone.normalize_from_vibes(self.mdn) or None,
        )

    def __bool__(self):
        return any((self.person_key, self.vibes_person_id, self.external_person_id, self.mdn))


def _normalise_person_values(values: dict, *, source: str) -> dict:
    """Numbers typed by people are validated strictly; numbers from Vibes kept as sent."""
    out = dict(values)
    if "mdn" in out:
        raw = out["mdn"] or ""
        if is_from_vibes(source):
            out["mdn"] = phone.normalize_from_vibes(raw)
        else:
            out["mdn"] = phone.normalize_typed(raw) if raw else ""
    if "custom_fields" in out and not is_from_vibes(source):
        # Checked against the definitions here too, whoever calls: an unknown key or a
        # value that fits no definition would reach Vibes as a 422 (custom_values.py).
        out["custom_fields"] = custom_values.local_values_clean(out["custom_fields"] or {})
    for key in _IDENTIFIERS:
        if key in out:
            out[key] = (str(out[key]).strip() or None) if out[key] is not None else None
    for key in ("carrier_code", "timezone"):
        if key in out and out[key] is None:
            out[key] = ""
    return out


def person_create(
    *,
    source: str,
    staff_user=None,
    evidence: Evidence | None = None,
    callback=None,
    occurred_at: datetime | None = None,
    **values,
) -> Person:
    """Create a person and record a "details changed" row listing what it was given."""
    unknown = set(values) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_create got unknown fields: {sorted(unknown)}")
    values = _normalise_person_values(values, source=source)
    if isinstance(values.get("custom_fields"), dict):
        values["custom_fields"] = _merge_custom_fields({}, values["custom_fields"])
    with transaction.atomic():
        person = Person(last_change_source=source, last_change_at=occurred_at or timezone.now())
        for key, value in values.items():
            setattr(person, key, value)
        written_by(person, source, at=person.last_change_at).save()
        history_record(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            changes={k: [None, jsonable(v)] for k, v in values.items() if v not in (None, "", {})},
            source=source,
            occurred_at=occurred_at,
            staff_user=staff_user,
            evidence=evidence,
            callback=callback,
            note="created",
        )
        suppression.flag(person.mdn, source=source, what="new person", person=person)
    return person


def person_update(
    *,
    person: Person,
    source: str,
    staff_user=None,
    evidence: Evidence | None = None,
    callback=None,
    occurred_at: datetime | None = None,
    note: str = "",
    **values,
) -> dict:
    """Apply ``values`` to ``person``; return ``{field: [old, new]}`` of what changed.

    ``custom_fields`` is merged key by key, as Vibes' partial update does: a key set to
    ``None`` is removed, keys left out stay.
    """
    unknown = set(values) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update got unknown fields: {sorted(unknown)}")
    values = _normalise_person_values(values, source=source)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.erased_at and is_from_vibes(source):
            # Erasure is final here: whatever Vibes still holds or says (an erasure it has
            # not completed, a late callback) is never written back (services/erasure.py).
            _refresh(person, locked)
            return {}
        changes = {}
        for key, new in values.items():
            old = getattr(locked, key)
            if key == "custom_fields":
                new = _merge_custom_fields(old or {}, new or {})
            if old != new:
                changes[key] = [jsonable(old), jsonable(new)]
                setattr(locked, key, new)
        if "mdn" in changes:
            suppression.flag(locked.mdn, source=source, what="number set", person=locked)
        if changes:
            locked.last_change_source = source
            locked.last_change_at = occurred_at or timezone.now()
            written_by(locked, source, at=locked.last_change_at).save()
            if set(changes) - {"vibes_created_at", "vibes_updated_at"}:
                history_record(
                    person=locked,
                    kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
                    changes=changes,
                    source=source,
                    occurred_at=occurred_at,
                    staff_user=staff_user,
                    evidence=evidence,
                    callback=callback,
                    note=note,
                )
        _refresh(person, locked)
    return changes


def person_set_sync_state(*, person: Person, state: str, error: str = "") -> None:
    """Record how the push to Vibes stands. Bookkeeping only: no history, no push."""
    Person.objects.filter(pk=person.pk).update(sync_state=state, sync_error=error[:2000])
    person.sync_state, person.sync_error = state, error[:2000]


def person_mark_pending(*, person_id: int) -> None:
    """A push waits for this person. Bookkeeping only; a row already pending is not
    written again (every edit records a push: this keeps the hot row unlocked)."""
    Person.objects.filter(pk=person_id).exclude(sync_state=Person.SyncState.PENDING).update(
        sync_state=Person.SyncState.PENDING, sync_error=""
    )


def person_revoke_links(*, person: Person, source: str = Source.ADMIN, staff_user=None) -> None:
    """Invalidate every preference link sent so far to ``person``."""
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(link_version=F("link_version") + 1)
        history_record(
            person=person,
            kind=SubscriptionEvent.Kind.LINK_REVOKED,
            source=source,
            staff_user=staff_user,
        )
    person.refresh_from_db(fields=["link_version"])


def person_find_for_vibes(identity: VibesIdentity) -> Person | None:
    """The local person Vibes means: by person_key, legacy id, external id, then number."""
    identity = identity.cleaned()
    for field in ("person_key", "vibes_person_id", "external_person_id"):
        value = getattr(identity, field)
        if value:
            person = Person.objects.filter(**{field: value}).first()
            if person is not None:
                return person
    if identity.mdn:
        # A number that died on a person (DeadNumber) is no longer theirs: the carrier may
        # have given it to someone else, so it names them no more (only their ids do).
        by_number = number_holders(identity.mdn).first()
        # A number someone asked to switch to: Vibes may name it by a new person of its own.
        return by_number or Person.objects.filter(pending_mdn=identity.mdn).order_by("id").first()
    return None


def waits_for_number(person: Person, mdn: str | None) -> bool:
    """Whether ``mdn`` is the new number ``person`` asked to switch to, not confirmed yet."""
    return bool(mdn) and person.pending_mdn == mdn and person.mdn != mdn


def person_upsert_from_vibes(
    *,
    identity: VibesIdentity,
    source: str = Source.VIBES_CALLBACK,
    callback=None,
    occurred_at: datetime | None = None,
    **values,
) -> tuple[Person, bool]:
    """Find or create the person Vibes names, learning any identifier not known yet.

    Safe when two callbacks for the same unknown person arrive together: the unique
    identifiers make the second insert fail, and it then finds the first one's row.
    """
    identity = identity.cleaned()
    if not identity:
        raise ValueError("Vibes named no person: no person_key, person id, external id or number.")
    known = {
        "person_key": identity.person_key,
        "vibes_person_id": identity.vibes_person_id,
        "external_person_id": identity.external_person_id,
    }
    for attempt in range(3):
        person = person_find_for_vibes(identity)
        if person is None:
            try:
                with transaction.atomic():
                    fields = {k: v for k, v in known.items() if v}
                    if identity.mdn:
                        fields["mdn"] = identity.mdn
                    fields.update(values)
                    return person_create(
                        source=source,
                        callback=callback,
                        occurred_at=occurred_at,
                        **fields,
                    ), True
            except IntegrityError:
                if attempt == 2:
                    raise
                continue
        if erasure.erased_person_named(person=person, callback=callback):
            return person, False  # nothing personal is learned about an erased person
        if waits_for_number(person, identity.mdn):
            # Vibes named the number this person asked to switch to (often a new Vibes
            # person of its own): nothing of it applies until they confirm it.
            return person, False
        learned = {k: v for k, v in known.items() if v and not getattr(person, k)}
        # An identifier that belongs to another local row is left alone rather than
        # stolen: staff resolve such a conflict, the callback still applies.
        learned = {
            k: v
            for k, v in learned.items()
            if not Person.objects.filter(**{k: v}).exclude(pk=person.pk).exists()
        }
        update = {**learned, **values}
        if identity.mdn and not person.mdn and "mdn" not in update:
            update["mdn"] = identity.mdn
        if update:
            try:
                person_update(
                    person=person,
                    source=source,
                    callback=callback,
                    occurred_at=occurred_at,
                    **update,
                )
            except IntegrityError:
                if attempt == 2:
                    raise
                continue
        return person, False
    raise AssertionError("unreachable")


def _merge_custom_fields(old: dict, changes: dict) -> dict:
    merged = dict(old)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _refresh(target: Person, source: Person) -> None:
    for field in (
        *_PERSON_FIELDS,
        "last_change_source",
        "last_change_at",
        "updated_at",
        "local_edits",
        "erased_at",
    ):
        setattr(target, field, getattr(source, field))
