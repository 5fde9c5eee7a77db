"""Re-read a person and their subscriptions from Vibes and apply the differences.

Used by the ``vibes_reconcile`` command and the admin's "re-read from Vibes". Differences
are applied through the services with ``Source.RECONCILE`` (so recorded in history and
never pushed back). An opt-out on either side wins: a Vibes opt-out is applied here
(newest event wins, as always); a local opt-out that Vibes does not know yet is pushed,
not undone, unless Vibes shows a newer opt-in (the person re-joined by keyword).
"""

from dataclasses import dataclass, field

from django.utils import timezone

from .. import deadlines, services
from ..models import Person, Push, Source, Subscription
from ..outbox.record import push_record
from ..vibes import errors
from ..vibes.client import VibesClient
from ..vibes.dates import parse_vibes_datetime


@dataclass
class ReconcileResult:
    found: bool = False
    details_changed: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # "1234: opted_out"
    pushed: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)  # open opt-outs Vibes confirmed
    erased: bool = False  # the person was erased: not read from Vibes

    @property
    def changed(self) -> bool:
        return bool(self.details_changed or self.applied or self.pushed)

    def summary(self) -> str:
        if self.erased:
            return "erased: nothing is read back from Vibes"
        if not self.found:
            return "not found in Vibes"
        parts = []
        if self.details_changed:
            parts.append("details: " + ", ".join(self.details_changed))
        if self.applied:
            parts.append("applied: " + ", ".join(self.applied))
        if self.pushed:
            parts.append("pushed: " + ", ".join(self.pushed))
        if self.confirmed:
            parts.append("opt-outs confirmed: " + ", ".join(self.confirmed))
        return "; ".join(parts) or "in step"


def _fetch_person(person: Person, client: VibesClient) -> dict | None:
    lookups = []
    if person.person_key:
        lookups.append(lambda: client.get_person(person.person_key))
    if person.external_person_id:
        lookups.append(lambda: client.get_person_by_external_id(person.external_person_id))
    if person.mdn:
        lookups.append(lambda: client.find_person_by_mdn(person.mdn))
    for lookup in lookups:
        try:
            data = lookup()
        except errors.NotFound:
            continue
        if isinstance(data, dict):
            return data
    return None


def person_reconcile(*, person: Person, client: VibesClient) -> ReconcileResult:
    result = ReconcileResult()
    if person.erased_at:
        # Erasure is final here: what Vibes still holds of an erased person (the erasure
        # push not done yet) is never read back; config/stalls.py shows that push instead.
        result.erased = True
        return result
    data = _fetch_person(person, client)
    if data is None:
        return result
    result.found = True
    person_pending = Push.objects.filter(
        person=person, kind=Push.Kind.PERSON, state=Push.State.PENDING
    ).exists()
    values = {}
    if data.get("person_key") and not person.person_key:
        values["person_key"] = str(data["person_key"])
    if data.get("person_id") and not person.vibes_person_id:
        values["vibes_person_id"] = str(data["person_id"])
    if not person_pending:  # a local edit still on its way to Vibes is the newer one
        phone = data.get("mobile_phone") or {}
        if phone.get("mdn"):
            values["mdn"] = phone["mdn"]
        if isinstance(data.get("custom_fields"), dict):
            local = person.custom_fields or {}
            remote = data["custom_fields"]
            merged = {k: v for k, v in remote.items() if local.get(k) != v}
            merged.update({k: None for k in local if k not in remote})
            if merged:
                values["custom_fields"] = merged
    changes = services.person_update(
        person=person, source=Source.RECONCILE, note="reconcile", **values
    )
    result.details_changed = sorted(changes)
    key = person.person_key or data.get("person_key")
    if key:
        _reconcile_subscriptions(person, client.get_subscriptions(key), result)
    return result


def _reconcile_subscriptions(person: Person, remote: list[dict], result: ReconcileResult):
    newest: dict[str, dict] = {}
    for sub in remote:
        list_id = str((sub.get("subscription_list") or {}).get("id") or "")
        if not list_id:
            continue
        when = parse_vibes_datetime(sub.get("opt_out_date")) or parse_vibes_datetime(
            sub.get("opt_in_date")
        )
        if list_id not in newest or (when and when > newest[list_id]["_when"]):
            newest[list_id] = {**sub, "_when": when or timezone.now()}
    for list_id, sub in newest.items():
        sub_list, _ = services.subscription_list_upsert(list_id=list_id)
        local = Subscription.objects.filter(person=person, subscription_list=sub_list).first()
        opt_in = parse_vibes_datetime(sub.get("opt_in_date"))
        opt_out = parse_vibes_datetime(sub.get("opt_out_date"))
        common = {"person": person, "subscription_list": sub_list, "source": Source.RECONCILE}
        if opt_out:
            if local and local.status == Subscription.Status.OPTED_OUT:
                # Vibes has the opt-out made here: it is confirmed.
                if deadlines.confirm(person=person, subscription_list=sub_list, how="reconcile"):
                    result.confirmed.append(list_id)
                continue
            change = services.subscription_cancel(
                occurred_at=opt_out,
                opt_out_date=opt_out,
                opt_in_date=opt_in,
                opt_out_reason=str(sub.get("opt_out_reason") or ""),
                **common,
            )
            if change.applied:
                result.applied.append(f"{list_id}: opted_out")
            continue
        if local and local.status == Subscription.Status.ACTIVE:
            continue
        rejoined = opt_in and local and local.opt_out_date and opt_in > local.opt_out_date
        if local and local.status == Subscription.Status.OPTED_OUT and not rejoined:
            # Our opt-out is the newer fact and Vibes has not heard it: push it.
            push_record(person_id=person.pk, kind=Push.Kind.SUBSCRIPTION, list_id=sub_list.pk)
            result.pushed.append(f"{list_id}: opt-out")
            continue
        change = services.subscription_activate(
            occurred_at=opt_in or timezone.now(), opt_in_date=opt_in, **common
        )
        if change.applied:
            result.applied.append(f"{list_id}: active")
