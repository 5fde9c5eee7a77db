"""The set-based twin of the person and subscription services, for many changes at once.

``BulkChanges`` applies the same rules as ``person_create``, ``person_update`` and
``subscription_set_state`` to rows held in memory (loaded and locked by the caller), and
``write()`` then saves them in a few statements: new rows with ``bulk_create``, changed
ones with ``rows_update``, every history row (append-only) with one ``bulk_create``.

Bulk writes fire no model signals. That is what changes from Vibes need (they are never
pushed back: ``outbox.origin``), so ``BulkChanges`` refuses any other source. The one
receiver a Vibes change still needs, the admin's cached list figures
(``admin.list_stats``), is called here for every list written.
"""

import copy
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import deadlines
from ..admin.list_stats import forget_list
from ..models import OptOutDeadline, Person, Subscription, SubscriptionEvent, SubscriptionList
from .bulk_update import rows_update
from .history import history_recorded, is_from_vibes, jsonable
from .persons import _PERSON_FIELDS, _merge_custom_fields, _normalise_person_values
from .subscriptions import repeat_is_recorded

_SUB_FIELDS = (
    "status",
    "opt_in_date",
    "opt_out_date",
    "opt_out_reason",
    "acquisition_campaign_id",
    "last_event_at",
    "confirm_by",
)


def _utc(value):
    # Rows read back from the database carry UTC; a value kept in memory must too, or the
    # history of a later change would spell the same moment with another offset.
    return value.astimezone(UTC) if isinstance(value, datetime) else value


class BulkChanges:
    """Changes to persons and subscriptions, decided in memory, written together."""

    def __init__(self, *, source: str):
        if not is_from_vibes(source):
            raise ValueError("Bulk changes fire no push signals: only for changes from Vibes.")
        self.source = source
        self.new_persons: list[Person] = []
        self.changed_persons: dict[int, tuple[Person, set[str]]] = {}
        self.new_subs: list[Subscription] = []
        self.changed_subs: dict[int, Subscription] = {}
        self.history: list[SubscriptionEvent] = []
        # With Source.IMPORT, the (person, list id, kind, moment) of every subscription
        # row in history from an import, loaded by the caller (``imported_from``): an
        # older one is not recorded twice.
        self.imported: set[tuple] | None = None
        # Applied opt-outs, in order, for their deadlines:
        # (person, list, when, reason, repeat, history row or None).
        self.opt_outs: list[tuple] = []

    # -- persons -------------------------------------------------------------------------

    def person_create(self, *, callback=None, occurred_at: datetime | None = None, **values):
        """As ``services.person_create``."""
        unknown = set(values) - set(_PERSON_FIELDS)
        if unknown:
            raise TypeError(f"person_create got unknown fields: {sorted(unknown)}")
        values = _normalise_person_values(values, source=self.source)
        if isinstance(values.get("custom_fields"), dict):  # a key set to null is no value
            values["custom_fields"] = _merge_custom_fields({}, values["custom_fields"])
        person = Person(
            last_change_source=self.source, last_change_at=_utc(occurred_at or timezone.now())
        )
        for key, value in values.items():
            setattr(person, key, _utc(copy.deepcopy(value)))
        self.new_persons.append(person)
        self._record(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            changes={k: [None, jsonable(v)] for k, v in values.items() if v not in (None, "", {})},
            occurred_at=occurred_at,
            callback=callback,
            note="created",
        )
        return person

    def person_update(
        self, *, person: Person, callback=None, occurred_at: datetime | None = None, **values
    ) -> dict:
        """As ``services.person_update``: returns ``{field: [old, new]}`` of what changed."""
        unknown = set(values) - set(_PERSON_FIELDS)
        if unknown:
            raise TypeError(f"person_update got unknown fields: {sorted(unknown)}")
        values = _normalise_person_values(values, source=self.source)
        changes = {}
        for key, new in values.items():
            old = getattr(person, key)
            if key == "custom_fields":
                new = _merge_custom_fields(old or {}, new or {})
            if old != new:
                changes[key] = [jsonable(old), jsonable(new)]
                setattr(person, key, _utc(copy.deepcopy(new)))
        if changes:
            self._touch(person, set(changes), occurred_at or timezone.now())
            if set(changes) - {"vibes_created_at", "vibes_updated_at"}:
                self._record(
                    person=person,
                    kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
                    changes=changes,
                    occurred_at=occurred_at,
                    callback=callback,
                )
        return changes

    # -- subscriptions -------------------------------------------------------------------

    def subscription_set_state(
        self,
        *,
        person: Person,
        subscription_list: SubscriptionList,
        sub: Subscription | None,
        previous_kind: str | None,
        status: str,
        kind: str,
        occurred_at: datetime,
        opt_in_date: datetime | None = None,
        opt_out_date: datetime | None = None,
        opt_out_reason: str = "",
        acquisition_campaign_id: str = "",
        callback=None,
        note: str = "",
    ) -> tuple[Subscription, bool, str | None]:
        """As ``services.subscription_set_state``, on ``sub`` (None: none yet) whose newest
        applied history row has ``previous_kind``. Returns the subscription, whether the
        event applied (False: superseded), and the kind of the newest applied row after it.
        """
        created = sub is None
        if created:
            sub = Subscription(person=person, subscription_list=subscription_list, status=status)
            self.new_subs.append(sub)
        history = {
            "person": person,
            "subscription_list": subscription_list,
            "kind": kind,
            "opt_out_reason": opt_out_reason if status == Subscription.Status.OPTED_OUT else "",
            "acquisition_campaign_id": acquisition_campaign_id or "",
            "occurred_at": occurred_at,
            "callback": callback,
            "note": note,
        }
        if sub.last_event_at and occurred_at < sub.last_event_at:
            if self.imported is not None and self._import_key(history) in self.imported:
                return sub, False, previous_kind  # as subscription_set_state: known already
            self._record(superseded=True, **history)
            return sub, False, previous_kind
        stored = [getattr(sub, f) for f in _SUB_FIELDS]
        before = (sub.status, sub.opt_in_date, sub.opt_out_date, sub.opt_out_reason)
        # The opt-out echo rule of subscription_set_state: a repeat keeps the first opt-out.
        repeat = before[0] == Subscription.Status.OPTED_OUT and bool(sub.opt_out_reason)
        repeat = repeat and status == Subscription.Status.OPTED_OUT
        replayed = occurred_at == sub.last_event_at
        sub.status = status
        if status == Subscription.Status.ACTIVE:
            sub.opt_in_date = _utc(opt_in_date or sub.opt_in_date or occurred_at)
            sub.opt_out_date, sub.opt_out_reason = None, ""
        elif status == Subscription.Status.OPTED_OUT:
            if not repeat:
                sub.opt_out_date = _utc(opt_out_date or occurred_at)
                sub.opt_out_reason = opt_out_reason or ""
            if opt_in_date and not sub.opt_in_date:
                sub.opt_in_date = _utc(opt_in_date)
        elif status == Subscription.Status.REJECTED:
            sub.opt_out_reason = opt_out_reason or ""
        if acquisition_campaign_id:
            sub.acquisition_campaign_id = acquisition_campaign_id
        sub.last_event_at = _utc(occurred_at)
        sub.confirm_by = None  # only a join waiting for its text expires; Vibes sends none
        if not created and stored != [getattr(sub, f) for f in _SUB_FIELDS]:
            self.changed_subs[sub.pk] = sub  # a row that changed in nothing is not written
        after = (sub.status, sub.opt_in_date, sub.opt_out_date, sub.opt_out_reason)
        repeat_recorded = repeat_is_recorded(
            sub,
            repeat=repeat,
            replayed=replayed,
            opt_out_date=opt_out_date or occurred_at,
            opt_out_reason=opt_out_reason,
        )
        if created or before != after or repeat_recorded or previous_kind != kind:
            self._record(**history)
            person.last_change_source, person.last_change_at = self.source, _utc(occurred_at)
            if person.pk is not None:
                self._changed(person, {"last_change_source", "last_change_at"})
            previous_kind = kind
            recorded = self.history[-1]
        else:
            recorded = None
        if status == Subscription.Status.OPTED_OUT:
            self.opt_outs.append(
                (person, subscription_list, occurred_at, sub.opt_out_reason, repeat, recorded)
            )
        return sub, True, previous_kind

    # -- writing -------------------------------------------------------------------------

    def write(self) -> None:
        """Save everything decided, in one transaction (no signal: nothing is pushed)."""
        now = timezone.now()
        with transaction.atomic():
            Person.objects.bulk_create(self.new_persons, batch_size=500)
            changed = list(self.changed_persons.values())
            for person, _fields in changed:
                person.updated_at = now
            for fields in {frozenset(f) for _p, f in changed}:
                rows = [p for p, f in changed if frozenset(f) == fields]
                rows_update(Person, rows, [*sorted(fields), "updated_at"])
            for sub in self.new_subs:
                sub.person_id = sub.person.pk  # the person may have been created just above
            Subscription.objects.bulk_create(self.new_subs, batch_size=500)
            subs = list(self.changed_subs.values())
            for sub in subs:
                sub.updated_at = now
            rows_update(Subscription, subs, [*_SUB_FIELDS, "updated_at"])
            for row in self.history:
                row.person_id = row.person.pk
            SubscriptionEvent.objects.bulk_create(self.history, batch_size=500)
            history_recorded.send(sender=SubscriptionEvent, events=self.history)
            self._deadlines(now)
            for list_pk in {s.subscription_list_id for s in [*self.new_subs, *subs]}:
                forget_list(list_pk)

    def _deadlines(self, now: datetime) -> None:
        """As ``deadlines.opt_out_recorded`` for each opt-out from Vibes, in order: it
        confirms the subscription's open deadline, or is recorded as confirmed; a repeat
        records nothing."""
        if not self.opt_outs:
            return
        open_pairs = set(
            OptOutDeadline.objects.filter(
                confirmed_at__isnull=True, person_id__any={p.pk for p, *_ in self.opt_outs}
            ).values_list("person_id", "subscription_list_id")
        )
        confirm, new = Q(pk__in=[]), []
        for person, sub_list, occurred_at, reason, repeat, row in self.opt_outs:
            pair = (person.pk, sub_list.pk)
            if pair in open_pairs:
                open_pairs.discard(pair)
                confirm |= Q(person_id=pair[0], subscription_list_id=pair[1])
            elif not repeat:
                new.append(
                    OptOutDeadline(
                        person_id=person.pk,
                        subscription_list_id=sub_list.pk,
                        event=row,
                        source=self.source,
                        opt_out_reason=reason[:64],
                        opted_out_at=occurred_at,
                        target_at=occurred_at
                        + timedelta(seconds=settings.OPTOUT_CONFIRM_TARGET_SECONDS),
                        due_at=deadlines.business_days_after(
                            occurred_at, settings.OPTOUT_DUE_BUSINESS_DAYS
                        ),
                        confirmed_at=now,
                        confirmed_how=self.source,
                    )
                )
        OptOutDeadline.objects.filter(confirm, confirmed_at__isnull=True).update(
            confirmed_at=now, confirmed_how=self.source[:32]
        )
        OptOutDeadline.objects.bulk_create(new, batch_size=500)

    def _touch(self, person: Person, fields: set[str], occurred_at: datetime) -> None:
        person.last_change_source, person.last_change_at = self.source, _utc(occurred_at)
        if person.pk is not None:
            self._changed(person, {*fields, "last_change_source", "last_change_at"})

    def _changed(self, person: Person, fields: set[str]) -> None:
        _person, known = self.changed_persons.setdefault(person.pk, (person, set()))
        known |= fields

    def imported_from(self, persons: dict[int, Person]) -> None:
        """Load what history holds from imports about ``persons`` (by pk)."""
        rows = SubscriptionEvent.objects.filter(
            person_id__any=list(persons), source=self.source, subscription_list__isnull=False
        ).values_list("person_id", "subscription_list__list_id", "kind", "occurred_at")
        self.imported = {(id(persons[p]), lst, k, _utc(when)) for p, lst, k, when in rows}

    @staticmethod
    def _import_key(history: dict) -> tuple:
        return (
            id(history["person"]),
            history["subscription_list"].list_id,
            history["kind"],
            _utc(history["occurred_at"]),
        )

    def _record(self, *, person, kind, occurred_at=None, callback=None, note="", **fields):
        """As ``history.history_record``, kept for the one ``bulk_create``."""
        if self.imported is not None and fields.get("subscription_list") is not None:
            self.imported.add(
                self._import_key(
                    {"person": person, "kind": kind, "occurred_at": occurred_at, **fields}
                )
            )
        self.history.append(
            SubscriptionEvent(
                person=person,
                kind=kind,
                source=self.source,
                occurred_at=occurred_at or timezone.now(),
                callback=callback,
                note=note,
                **fields,
            )
        )
