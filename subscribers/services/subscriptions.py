"""Services that write lists and subscriptions: the opt-in state, newest event wins."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import deadlines, suppression
from ..models import Person, Source, Subscription, SubscriptionEvent, SubscriptionList
from ..outbox.origin import unpushed, unpushed_if_from_vibes
from ..preferences.evidence import Evidence
from .history import history_record, is_from_vibes


@dataclass(frozen=True)
class StateChange:
    subscription: Subscription
    event: SubscriptionEvent | None
    applied: bool  # False when the event was older than one already applied (superseded)
    erased: bool = False  # refused: Vibes named a list for an erased person (services/erasure.py)

    @property
    def superseded(self) -> bool:
        return not self.applied


def subscription_list_upsert(
    *,
    list_id: str,
    name: str | None = None,
    acquisition_campaign_id: str | None = None,
    **values,
) -> tuple[SubscriptionList, bool]:
    """Create or update a list by Vibes id. A list first seen in a callback gets a
    placeholder name until Vibes tells us the real one."""
    list_id = str(list_id).strip()
    if not list_id:
        raise ValueError("A subscription list needs its Vibes id.")
    defaults = dict(values)
    if name:
        defaults["name"] = name[:200]
    if acquisition_campaign_id is not None:
        defaults["acquisition_campaign_id"] = acquisition_campaign_id
    with transaction.atomic():
        sub_list, created = SubscriptionList.objects.get_or_create(
            list_id=list_id,
            defaults={"name": f"Vibes list {list_id}", **defaults},
        )
        if not created and defaults:
            changed = [k for k, v in defaults.items() if getattr(sub_list, k) != v]
            if changed:
                for k in changed:
                    setattr(sub_list, k, defaults[k])
                sub_list.save(update_fields=[*changed, "updated_at"])
    return sub_list, created


def subscription_list_confirms_by_text(*, subscription_list: SubscriptionList, confirms: bool):
    """Record whether the list's web campaign texts a confirmation before it subscribes,
    as Vibes' answer to a sign-up showed (docs/vibes.md: the campaign decides, the request
    cannot). List configuration, not a person's history: nothing else is recorded."""
    if subscription_list.confirms_by_text != confirms:
        SubscriptionList.objects.filter(pk=subscription_list.pk).update(confirms_by_text=confirms)
        subscription_list.confirms_by_text = confirms


_KIND_FOR_STATUS = {
    Subscription.Status.PENDING: SubscriptionEvent.Kind.OPTIN_REQUESTED,
    Subscription.Status.ACTIVE: SubscriptionEvent.Kind.OPTED_IN,
    Subscription.Status.REJECTED: SubscriptionEvent.Kind.OPTIN_REJECTED,
    Subscription.Status.OPTED_OUT: SubscriptionEvent.Kind.OPTED_OUT,
}


def subscription_set_state(
    *,
    person: Person,
    subscription_list: SubscriptionList,
    status: str,
    source: str,
    occurred_at: datetime | None = None,
    opt_in_date: datetime | None = None,
    opt_out_date: datetime | None = None,
    opt_out_reason: str = "",
    acquisition_campaign_id: str = "",
    staff_user=None,
    evidence: Evidence | None = None,
    callback=None,
    note: str = "",
    kind: str | None = None,
    confirm_by: datetime | None = None,
    push: bool = True,
) -> StateChange:
    """Move one subscription to ``status``, newest event wins.

    A change from Vibes is never pushed back; ``push=False`` says a push kind of its own
    sends this change (an erasure's opt-outs), so the subscription push does not.

    A subscription waiting for its confirmation text expires at ``confirm_by`` (the
    campaign's expire date, when Vibes gave one), else ``PENDING_CONFIRMATION_HOURS``
    after ``occurred_at`` (``subscription_expire``).

    An event older (by ``occurred_at``, its date at the source) than the newest one
    already applied is recorded in history as superseded and changes nothing. A history
    row is recorded when the state changes, or when ``kind`` (by default the one that
    goes with ``status``) is a new step, e.g. "opted in" after "opt-in confirmed".
    """
    status = Subscription.Status(status)
    occurred_at = occurred_at or timezone.now()
    kind = kind or _KIND_FOR_STATUS[status]

    def marked(sub: Subscription) -> Subscription:
        return unpushed(unpushed_if_from_vibes(sub, source), not push)

    if person.erased_at and is_from_vibes(source) and status != Subscription.Status.OPTED_OUT:
        # Erasure is final: Vibes may still hold a list the erasure push has not ended yet
        # (or hear a keyword from the number), and never re-subscribes the erased person.
        # Its opt-outs only confirm what the erasure did, and still apply.
        sub = Subscription.objects.filter(
            person=person, subscription_list=subscription_list
        ).first() or Subscription(person=person, subscription_list=subscription_list)
        return StateChange(subscription=sub, event=None, applied=False, erased=True)
    with transaction.atomic():
        sub, _created = _locked_or_created(person, subscription_list, status, marked)
        history = {
            "person": person,
            "subscription_list": subscription_list,
            "kind": kind,
            "opt_out_reason": opt_out_reason if status == Subscription.Status.OPTED_OUT else "",
            "acquisition_campaign_id": acquisition_campaign_id or "",
            "source": source,
            "occurred_at": occurred_at,
            "staff_user": staff_user,
            "evidence": evidence,
            "callback": callback,
            "note": note,
        }
        if sub.last_event_at and occurred_at < sub.last_event_at:
            if source == Source.IMPORT and _import_known(
                person, subscription_list, kind, occurred_at
            ):
                # Each day's extract names a subscription's older events again: one
                # already in history is not recorded twice.
                return StateChange(subscription=sub, event=None, applied=False)
            event = history_record(superseded=True, **history)
            return StateChange(subscription=sub, event=event, applied=False)

        before = (sub.status, sub.opt_in_date, sub.opt_out_date, sub.opt_out_reason)
        # An opt-out of a subscription already opted out for a known reason is a repeat,
        # most often Vibes' echo of our own DELETE (reason api_opt_out): the subscription
        # keeps the opt-out that happened, and the repeat is kept in history.
        repeat = before[0] == Subscription.Status.OPTED_OUT and bool(sub.opt_out_reason)
        repeat = repeat and status == Subscription.Status.OPTED_OUT
        replayed = occurred_at == sub.last_event_at
        sub.status = status
        if status == Subscription.Status.ACTIVE:
            sub.opt_in_date = opt_in_date or sub.opt_in_date or occurred_at
            sub.opt_out_date, sub.opt_out_reason = None, ""
        elif status == Subscription.Status.OPTED_OUT:
            if not repeat:
                sub.opt_out_date = opt_out_date or occurred_at
                sub.opt_out_reason = opt_out_reason or ""
            if opt_in_date and not sub.opt_in_date:
                sub.opt_in_date = opt_in_date
        elif status == Subscription.Status.REJECTED:
            sub.opt_out_reason = opt_out_reason or ""
        if acquisition_campaign_id:
            sub.acquisition_campaign_id = acquisition_campaign_id
        sub.confirm_by = (
            confirm_by or occurred_at + timedelta(hours=settings.PENDING_CONFIRMATION_HOURS)
            if status == Subscription.Status.PENDING
            else None
        )
        sub.last_event_at = occurred_at
        marked(sub).save()
        after = (sub.status, sub.opt_in_date, sub.opt_out_date, sub.opt_out_reason)
        event = None
        repeat_recorded = repeat_is_recorded(
            sub,
            repeat=repeat,
            replayed=replayed,
            opt_out_date=opt_out_date or occurred_at,
            opt_out_reason=opt_out_reason,
        )
        if (
            _created
            or before != after
            or repeat_recorded
            or _previous_kind(person, subscription_list) != kind
        ):
            event = history_record(**history)
            Person.objects.filter(pk=person.pk).update(
                last_change_source=source,
                last_change_at=occurred_at,
            )
        _compliance(sub, status, source, occurred_at, event, repeat)
    return StateChange(subscription=sub, event=event, applied=True)


def _locked_or_created(person, subscription_list, status, marked) -> tuple[Subscription, bool]:
    """The subscription row, locked; a new one is inserted carrying the write's own mark
    (``marked``), so its first save is pushed or not as the write says."""
    rows = Subscription.objects.select_for_update()
    found = rows.filter(person=person, subscription_list=subscription_list).first()
    if found is not None:
        return found, False
    sub = marked(Subscription(person=person, subscription_list=subscription_list, status=status))
    try:
        with transaction.atomic():
            sub.save()
    except IntegrityError:
        # Another writer inserted it meanwhile: this change applies to theirs.
        return rows.get(person=person, subscription_list=subscription_list), False
    return sub, True


def repeat_is_recorded(sub, *, repeat, replayed, opt_out_date, opt_out_reason) -> bool:
    """A repeat opt-out (``sub`` keeps the first one's date and reason) that would have
    changed the date or reason is recorded; one dated the very moment of the newest event
    applied (``replayed``) is that event again (each day's Subscription Extract names every
    opt-out again) and records nothing."""
    if not repeat or replayed:
        return False
    return opt_out_date != sub.opt_out_date or (opt_out_reason or "") != sub.opt_out_reason


def _import_known(person, subscription_list, kind, occurred_at) -> bool:
    return SubscriptionEvent.objects.filter(
        person=person,
        subscription_list=subscription_list,
        kind=kind,
        occurred_at=occurred_at,
        source=Source.IMPORT,
    ).exists()


def _compliance(sub, status, source, occurred_at, event, repeat) -> None:
    """Opt-outs get a deadline (subscribers/deadlines.py); a suppressed number joining a
    list through Vibes is flagged for staff (subscribers/suppression.py)."""
    if status == Subscription.Status.OPTED_OUT:
        deadlines.opt_out_recorded(
            person=sub.person,
            subscription_list=sub.subscription_list,
            source=source,
            occurred_at=occurred_at,
            event=event,
            reason=sub.opt_out_reason,
            repeat=repeat,
        )
    elif status in Subscription.OPEN and is_from_vibes(source):
        suppression.flag(
            sub.person.mdn,
            source=source,
            what=f"subscription {status}",
            person=sub.person,
            subscription_list=sub.subscription_list,
        )


def _previous_kind(person: Person, subscription_list: SubscriptionList) -> str | None:
    """The kind of the newest applied history row of this subscription."""
    return (
        SubscriptionEvent.objects.filter(
            person=person, subscription_list=subscription_list, superseded=False
        )
        .order_by("-occurred_at", "-id")
        .values_list("kind", flat=True)
        .first()
    )


def subscription_request(*, person, subscription_list, source, **kwargs) -> StateChange | None:
    """Ask for an opt-in (the web's double opt-in starts here). Nothing to do when the
    person is already subscribed or waiting for the confirmation text, or when their
    number is on the suppression list (then the attempt is flagged for staff)."""
    current = Subscription.objects.filter(
        person=person, subscription_list=subscription_list
    ).first()
    if current and current.is_open:
        return None
    if suppression.flag(
        person.mdn or person.pending_mdn,
        source=source,
        what="sign-up refused",
        refused=True,
        person=person,
        subscription_list=subscription_list,
    ):
        return None  # an erased number: never texted again, staff see the attempt
    return subscription_set_state(
        person=person,
        subscription_list=subscription_list,
        source=source,
        status=Subscription.Status.PENDING,
        **kwargs,
    )


def subscription_expires_at(*, subscription: Subscription, expires_at: datetime) -> None:
    """The deadline Vibes gave a join still waiting (the participant answer's
    ``expire_date``). Bookkeeping only: no history, no push."""
    Subscription.objects.filter(pk=subscription.pk, status=Subscription.Status.PENDING).update(
        confirm_by=expires_at
    )


def subscription_expire(*, subscription_id: int, now: datetime | None = None) -> bool:
    """End a join still waiting for its confirmation text past ``confirm_by``: rejected,
    for the reason ``expired`` (subscribers/reasons.py), with a history row. Returns
    whether it did (False when it was answered or renewed meanwhile).

    Vibes lets such a request lapse silently (docs/vibes.md), so nothing is pushed. The
    newest event applied stays the request's: a "Y" the phone sent in time but Vibes
    reports late is newer, and still subscribes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        sub = (
            Subscription.objects.select_for_update()
            .filter(pk=subscription_id, status=Subscription.Status.PENDING, confirm_by__lte=now)
            .first()
        )
        if sub is None:
            return False
        expired_at = sub.confirm_by
        sub.status = Subscription.Status.REJECTED
        sub.opt_out_reason, sub.confirm_by = "expired", None
        sub.save(update_fields=["status", "opt_out_reason", "confirm_by", "updated_at"])
        history_record(
            person=sub.person,
            subscription_list=sub.subscription_list,
            kind=SubscriptionEvent.Kind.OPTIN_REJECTED,
            opt_out_reason="expired",
            acquisition_campaign_id=sub.acquisition_campaign_id,
            source=Source.SYSTEM,
            occurred_at=expired_at,
            note="no reply to the confirmation text before it expired",
        )
        Person.objects.filter(pk=sub.person_id).update(
            last_change_source=Source.SYSTEM, last_change_at=expired_at
        )
    return True


# The three moves that need no more than the status: same arguments as subscription_set_state.
subscription_activate = partial(subscription_set_state, status=Subscription.Status.ACTIVE)
subscription_reject = partial(subscription_set_state, status=Subscription.Status.REJECTED)
subscription_cancel = partial(subscription_set_state, status=Subscription.Status.OPTED_OUT)


def person_opt_out_all(*, person: Person, source: str, **kwargs) -> list[StateChange]:
    """Opt ``person`` out of every list they are on or waiting for ("stop all texts")."""
    with transaction.atomic():
        subs = (
            Subscription.objects.filter(person=person)
            .open()
            .select_related("subscription_list")
            .order_by("subscription_list__name")
        )
        return [
            subscription_cancel(
                person=person,
                subscription_list=s.subscription_list,
                source=source,
                **kwargs,
            )
            for s in subs
        ]
