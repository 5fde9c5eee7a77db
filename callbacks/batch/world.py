"""The rows a batch of events touches, read and locked in a few statements, then kept in
memory as the batch decides.

Locks, always in the same order so that workers applying at once never deadlock:

1. on PostgreSQL, a transaction-level advisory lock per identifier the batch names
   (person key, legacy id, external id, number), taken in ascending order in one
   statement: two batches naming the same person, even one Vibes has not told us about
   yet, run one after the other, so neither creates it twice;
2. the persons those identifiers name (``FOR UPDATE``, by id);
3. their subscriptions on the lists the batch names (``FOR UPDATE``, by id).

Every read happens after the locks it depends on, so it sees what the batch before
committed: nothing is decided on a stale row.
"""

import hashlib
from collections import defaultdict

from django.db import connection
from django.db.models import Q

from subscribers.models import Person, Source, Subscription, SubscriptionEvent, SubscriptionList
from subscribers.services.bulk import BulkChanges

from .intents import Intent
from .route import Watched

IDENTIFIERS = ("person_key", "vibes_person_id", "external_person_id")


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"vibes-person:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _newest_kinds(pks: list[int]) -> dict[tuple[int, int], str]:
    """The kind of each subscription's newest applied history row, by (person, list).

    Read by person alone: asked by person and list together, a planner without fresh
    statistics (a table a first import is filling) ANDed two bitmap scans, one of them
    the list's whole history, for every subscription."""
    rows = SubscriptionEvent.objects.filter(
        person_id__any=pks, superseded=False, subscription_list__isnull=False
    ).order_by("person_id", "subscription_list_id", "-occurred_at", "-id")
    if connection.vendor == "postgresql":
        rows = rows.distinct("person_id", "subscription_list_id")
    kinds: dict[tuple[int, int], str] = {}
    for person_id, list_pk, kind in rows.values_list("person_id", "subscription_list_id", "kind"):
        kinds.setdefault((person_id, list_pk), kind)
    return kinds


class World:
    """``source`` is what the history rows record; without ``lock`` (a dry run, whose
    writes are rolled back) nothing is locked, so a dry run never holds up the callbacks."""

    def __init__(self, intents: list[Intent], *, source=Source.VIBES_CALLBACK, lock=True):
        self.changes = BulkChanges(source=source)
        self.lock = lock
        self.lists_created: set[str] = set()  # Vibes ids of the lists this batch created
        self.by_id: dict[str, dict[str, Person]] = {f: {} for f in IDENTIFIERS}
        self.by_mdn: dict[str, list[Person]] = defaultdict(list)
        self.pending: dict[str, Person] = {}
        self.lists: dict[str, SubscriptionList] = {}
        # (person, list id) -> [subscription or None, kind of its newest applied history row]
        self.subs: dict[tuple[int, str], list] = {}
        self._order: dict[int, tuple] = {}
        self.people: dict[int, Person] = {}
        self._load([i for i in intents if not i.rejected])

    # -- reading -------------------------------------------------------------------------

    def _load(self, intents: list[Intent]) -> None:
        wanted = {f: set() for f in IDENTIFIERS}
        numbers = set()
        for intent in intents:
            for f in IDENTIFIERS:
                if getattr(intent.identity, f):
                    wanted[f].add(getattr(intent.identity, f))
            numbers |= intent.numbers()
        if self.lock and connection.vendor == "postgresql":
            keys = sorted(
                {_lock_key(f, v) for f, values in wanted.items() for v in values}
                | {_lock_key("mdn", n) for n in numbers}
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k",
                    [keys],
                )
        named = Q(pk__in=[])
        for f, values in wanted.items():
            if values:
                named |= Q(**{f"{f}__any": values})
        if numbers:
            named |= Q(mdn__any=numbers) | Q(pending_mdn__any=numbers)
        persons = Person.objects.filter(named).order_by("id")
        for person in persons.select_for_update() if self.lock else persons:
            self._index(person)
        self.watched = Watched.read(numbers, self._persons())
        list_ids = {i.list_id for i in intents if i.list_id}
        self._load_lists(list_ids)
        pks = [p.pk for p in self._persons()]
        subs = Subscription.objects.all()
        subs = (
            (subs.select_for_update(of=("self",)) if self.lock else subs)
            .filter(person_id__any=pks, subscription_list__list_id__in=list_ids)
            .order_by("id")
        )
        by_pk = {p.pk: p for p in self._persons()}
        if self.changes.source == Source.IMPORT:
            self.changes.imported_from(by_pk)
        list_of = {lst.pk: lst for lst in self.lists.values()}
        subs = list(subs)
        kinds = _newest_kinds(pks) if subs else {}
        for sub in subs:
            sub.person = by_pk[sub.person_id]
            sub.subscription_list = list_of[sub.subscription_list_id]
            key = (id(sub.person), sub.subscription_list.list_id)
            self.subs[key] = [sub, kinds.get((sub.person_id, sub.subscription_list_id))]

    def _load_lists(self, list_ids: set[str]) -> None:
        """The lists named, created when new (as ``services.subscription_list_upsert``
        does, with its placeholder name)."""
        if not list_ids:
            return
        found = {s.list_id: s for s in SubscriptionList.objects.filter(list_id__in=list_ids)}
        missing = sorted(list_ids - set(found))
        if missing:
            SubscriptionList.objects.bulk_create(
                [SubscriptionList(list_id=x, name=f"Vibes list {x}") for x in missing],
                ignore_conflicts=True,
            )
            created = SubscriptionList.objects.filter(list_id__in=missing)
            self.lists_created = set(missing)
            found.update({s.list_id: s for s in created})
        self.lists = found

    def _persons(self) -> list[Person]:
        return [p for p in self.people.values() if p.pk is not None]

    def _index(self, person: Person) -> None:
        if id(person) not in self._order:
            # person_find_for_vibes takes the lowest id among the holders of a number: rows
            # created by this batch come after every stored one, in the order created.
            self._order[id(person)] = (0, person.pk) if person.pk else (1, len(self._order))
            self.people[id(person)] = person
        for f in IDENTIFIERS:
            if getattr(person, f):
                self.by_id[f][getattr(person, f)] = person
        if person.mdn and all(p is not person for p in self.by_mdn[person.mdn]):
            self.by_mdn[person.mdn].append(person)
        if person.pending_mdn:
            self.pending.setdefault(person.pending_mdn, person)

    # -- the person Vibes means ----------------------------------------------------------

    def find(self, identity) -> Person | None:
        """As ``services.person_find_for_vibes``, on the rows in memory."""
        for f in IDENTIFIERS:
            value = getattr(identity, f)
            if value and value in self.by_id[f]:
                return self.by_id[f][value]
        if identity.mdn:
            holders = self.by_mdn.get(identity.mdn)
            if holders:
                return min(holders, key=lambda p: self._order[id(p)])
            return self.pending.get(identity.mdn)
        return None

    def named(self, identity) -> list[Person]:
        """Every person the identity could mean, for ``route.needs_single``."""
        found = [self.find(identity)]
        if identity.mdn:
            found.append(self.pending.get(identity.mdn))
        return [p for p in found if p is not None]

    def holder(self, field: str, value: str) -> Person | None:
        return self.by_id[field].get(value)

    # -- changes, keeping the indexes in step --------------------------------------------

    def create(self, **kwargs) -> Person:
        person = self.changes.person_create(**kwargs)
        self._index(person)
        return person

    def update(self, person: Person, **kwargs) -> dict:
        old_mdn = person.mdn
        changes = self.changes.person_update(person=person, **kwargs)
        if "mdn" in changes and old_mdn:
            self.by_mdn[old_mdn] = [p for p in self.by_mdn[old_mdn] if p is not person]
        for f in IDENTIFIERS:
            if f in changes and changes[f][0]:
                self.by_id[f].pop(changes[f][0], None)
        self._index(person)
        return changes
