"""The erasure push: what Vibes documents for a privacy request, for each Vibes record of
the erased person (vibes-api.md §2: there is no DELETE for persons).

The records are found by the person_key we knew, by each erased number, and by our
external id. For each one, its active subscriptions end (a DELETE each: an erased number
is texted no more), then a PUT sets ``mobile_phone.mdn``, ``mobile_phone.carrier_code``,
``external_person_id`` and our custom fields to null. Once the records are known the push
keeps only their keys, so a retry needs no number. Every step is safe to repeat: a 404
means already done.

Vibes refuses a whole update naming a custom field it does not know (422, vibes-api.md
§2), and one field staff defined here before Vibes had it must never stop an erasure. So
a 422 drops the fields its message names and the PUT is sent again; a 422 that names none
of ours is answered by nulling the number and ids alone, then each field on its own,
keeping those Vibes refuses out. Fields Vibes does not know hold nothing of ours there.

``erasure_requested`` is the receiver of ``services.person_erased``: it records the push
inside the erasure's transaction (merging into an erasure push not done yet) and
supersedes the person's other open pushes, which could only send what was erased.
"""

import contextlib

from django.db import transaction

from ... import deadlines
from ...models import CustomField, Person
from ...vibes import errors
from ...vibes.client import VibesClient
from ..models import Push
from ..record import push_enqueue
from .common import fields_named, holder_key
from .old_number import _active_lists


def erasure_requested(sender, person: Person, targets: dict, **kwargs) -> None:
    open_states = [Push.State.PENDING, Push.State.FAILED, Push.State.STOPPED]
    Push.objects.filter(person_id=person.pk, state__in=open_states).exclude(
        kind=Push.Kind.ERASURE
    ).update(state=Push.State.SUPERSEDED, lease_until=None)
    push = (
        Push.objects.select_for_update()
        .filter(person_id=person.pk, kind=Push.Kind.ERASURE, state__in=open_states)
        .order_by("-id")
        .first()
    )
    if push is None:
        push = Push.objects.create(person_id=person.pk, kind=Push.Kind.ERASURE, vibes_person={})
    push.vibes_person = _merged(push.vibes_person or {}, targets)
    push.state = Push.State.PENDING
    push.attempts, push.next_attempt_at, push.lease_until = 0, None, None
    push.generation += 1
    push.save()
    Person.objects.filter(pk=person.pk).update(sync_state=Person.SyncState.PENDING)
    push_id = push.pk
    transaction.on_commit(lambda: push_enqueue([push_id]))


def _merged(old: dict, new: dict) -> dict:
    out = {}
    for key in ("mdns", "person_keys", "custom_fields"):
        out[key] = sorted(set(old.get(key) or []) | set(new.get(key) or []))
    out["external_person_id"] = new.get("external_person_id") or old.get("external_person_id") or ""
    return out


def nullified(custom_fields) -> dict:
    """The PUT body of a privacy request: our fields on the record set to null."""
    body = {"mobile_phone": {"mdn": None, "carrier_code": None}, "external_person_id": None}
    if custom_fields:
        body["custom_fields"] = dict.fromkeys(sorted(custom_fields))
    return body


def _records(client: VibesClient, targets: dict) -> set[str]:
    keys = set(targets.get("person_keys") or [])
    for mdn in targets.get("mdns") or []:
        key = holder_key(client, mdn)
        if key:
            keys.add(key)
    external = targets.get("external_person_id")
    if external:
        with contextlib.suppress(errors.NotFound):
            found = client.get_person_by_external_id(external)
            if isinstance(found, dict) and found.get("person_key"):
                keys.add(str(found["person_key"]))
    return keys


def _null_record(client: VibesClient, key: str, fields: set[str]) -> set[str]:
    """Null one Vibes record; return the custom fields Vibes refused as unknown."""
    fields, refused = set(fields), set()
    while True:
        try:
            client.update_person(nullified(fields), person_key=key)
            return refused
        except errors.NotFound:
            return refused
        except errors.Unprocessable as exc:
            if not fields:
                raise  # not about custom fields: the push stops, and shows (config/stalls.py)
            named = fields_named(exc, fields)
            if not named:
                break
            refused |= named
            fields -= named
    # A 422 that names none of our fields: the number and ids first, then field by field.
    with contextlib.suppress(errors.NotFound):
        client.update_person(nullified(()), person_key=key)
    for name in sorted(fields):
        try:
            client.update_person({"custom_fields": {name: None}}, person_key=key)
        except errors.Unprocessable:
            refused.add(name)
        except errors.NotFound:
            break
    return refused


def push_erasure(*, push: Push, client: VibesClient, started_at) -> str:
    targets = push.vibes_person or {}
    keys = _records(client, targets)
    fields = set(targets.get("custom_fields") or [])
    # Defined fields too: Vibes may hold one of ours that we never had locally.
    fields |= set(CustomField.objects.values_list("key", flat=True))
    # From here a retry needs no number: forget them (a retry finds the records by key).
    remembered = {"mdns": [], "person_keys": sorted(keys), "custom_fields": sorted(fields)}
    Push.objects.filter(pk=push.pk).update(vibes_person={**remembered, "external_person_id": ""})
    ended = 0
    for key in sorted(keys):
        try:
            lists = _active_lists(client, key)
        except errors.NotFound:
            continue  # the record is gone: nothing of ours left on it
        for list_id in sorted(lists):
            with contextlib.suppress(errors.NotFound):  # ended meanwhile
                client.unsubscribe(list_id, person_key=key)
            ended += 1
        refused = _null_record(client, key, fields)
        fields -= refused
    deadlines.confirm(person=push.person, how="push")
    if not keys:
        return "unknown to Vibes: nothing to erase there"
    unknown = sorted(set(remembered["custom_fields"]) - fields)
    left_out = f"; custom field(s) unknown to Vibes left out: {', '.join(unknown)}"
    left_out = left_out if unknown else ""
    return f"erased at Vibes: {len(keys)} record(s) nulled, {ended} subscription(s) ended{left_out}"
