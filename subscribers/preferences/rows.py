"""What the preference page shows: one row per public list, and recent changes in words.

The sentence a row shows next to its checkbox is also the wording recorded as evidence
when the person changes that box, so the two cannot drift apart.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    DEAD_NUMBER_REASONS,
    Person,
    Source,
    Subscription,
    SubscriptionEvent,
    SubscriptionList,
    Text,
)
from ..phone import mask
from ..services import NUMBER_REASONS, number_is_dead
from ..translated import in_language

JOIN_DISCLOSURE = gettext_lazy("Message and data rates may apply. Reply STOP to any text to stop.")
#: What joining a list does, said next to the list: its web campaign either texts a
#: confirmation to answer or subscribes at once (SubscriptionList.confirms_by_text).
JOIN_CONFIRMS = gettext_lazy("We'll text you to confirm this list.")
JOIN_AT_ONCE = gettext_lazy("Joining subscribes you at once, with no text to answer.")
HISTORY_SIZE = 10
#: How long the page says that the code for a new number could not be texted.
UNSENT_CODE_SHOWN = timedelta(days=1)


@dataclass(frozen=True)
class ListRow:
    subscription_list: SubscriptionList
    status: str  # a Subscription.Status value, or "none"
    state_text: str
    note: str
    disabled: bool
    can_join: bool
    expired: bool = False  # its confirmation text went unanswered: it can be sent again

    @property
    def checked(self) -> bool:
        return self.status in Subscription.OPEN

    @property
    def label(self) -> str:
        return in_language(self.subscription_list, "name")

    @property
    def description(self) -> str:
        return in_language(self.subscription_list, "public_description")

    @property
    def join_hint(self) -> str:
        return str(JOIN_CONFIRMS if self.subscription_list.confirms_by_text else JOIN_AT_ONCE)

    @property
    def wording(self) -> str:
        parts = [self.label]
        if self.description:
            parts.append(self.description)
        return f"{' — '.join(parts)} ({self.join_hint} {JOIN_DISCLOSURE})"


def list_rows(person: Person) -> list[ListRow]:
    lists = SubscriptionList.objects.filter(is_public=True).order_by("name", "pk")
    status_of = {
        list_pk: (status, reason)
        for list_pk, status, reason in Subscription.objects.filter(
            person=person, subscription_list__in=lists
        ).values_list("subscription_list_id", "status", "opt_out_reason")
    }
    # A number that is no longer the person's joins nothing: a new one must be confirmed.
    current = "" if number_is_dead(person) else person.mdn
    number = current or person.pending_mdn
    rows = []
    for sub_list in lists:
        status, reason = status_of.get(sub_list.pk, ("none", ""))
        can_join = bool(sub_list.acquisition_campaign_id and number)
        note, disabled, expired = "", False, False
        if status == Subscription.Status.ACTIVE:
            state = _("Subscribed")
        elif status == Subscription.Status.PENDING and not sub_list.confirms_by_text:
            state = _("Being added")
            note = _("No reply needed: you'll be subscribed in a moment.")
        elif status == Subscription.Status.PENDING:
            state = _("Waiting for your confirmation text")
            note = _("We've sent a text to %(number)s; reply Y to confirm.") % {
                "number": mask(number, unbroken=True)
            }
        elif status == Subscription.Status.REJECTED and reason == "expired":
            state = _("Confirmation expired")
            note = _(
                "We texted %(number)s to confirm, but no “Y” came back in time, so you "
                "were not added. We can send the text again."
            ) % {"number": mask(number, unbroken=True)}
            disabled, expired = not can_join, can_join
        elif status == Subscription.Status.REJECTED:
            state = _("Can't be added")
            note = _(
                "This number once replied “No” to our confirmation text for this list, "
                "so we can't add it from here."
            )
            disabled = True
        else:
            state = _("Not subscribed")
            if not sub_list.acquisition_campaign_id:
                note, disabled = _("This list can't be joined online."), True
            elif not number:
                note, disabled = _("Add your mobile number below to join this list."), True
            else:
                note = str(JOIN_CONFIRMS if sub_list.confirms_by_text else JOIN_AT_ONCE)
        rows.append(ListRow(sub_list, status, state, note, disabled, can_join, expired))
    # Lists the person can change first; the ones they can't, below, for information.
    return sorted(rows, key=lambda r: r.disabled)


_KIND_TEXT = {
    SubscriptionEvent.Kind.OPTIN_REQUESTED: gettext_lazy("Asked to join %(list)s"),
    SubscriptionEvent.Kind.OPTIN_CONFIRMED: gettext_lazy("Confirmed joining %(list)s"),
    SubscriptionEvent.Kind.OPTED_IN: gettext_lazy("Joined %(list)s"),
    SubscriptionEvent.Kind.OPTIN_REJECTED: gettext_lazy("Not added to %(list)s"),
    SubscriptionEvent.Kind.OPTED_OUT: gettext_lazy("Left %(list)s"),
    SubscriptionEvent.Kind.DETAILS_CHANGED: gettext_lazy("Details updated"),
    SubscriptionEvent.Kind.LINK_REVOKED: gettext_lazy("Earlier links turned off"),
}
_SOURCE_TEXT = {
    Source.PREFERENCE_PAGE: gettext_lazy("on this page"),
    Source.VIBES_CALLBACK: gettext_lazy("by text message"),
    Source.ADMIN: gettext_lazy("by our team"),
    Source.PUSH: gettext_lazy("by our texting service"),
    Source.TEXT_MESSAGE: gettext_lazy("by your text message"),
}


@dataclass(frozen=True)
class HistoryRow:
    when: object
    text: str
    how: str


#: Details only Vibes and this service care about; a change of nothing else is bookkeeping
#: (e.g. the person_key Vibes returned), not something the person did or needs to see.
_BOOKKEEPING_FIELDS = frozenset(
    {
        "person_key",
        "vibes_person_id",
        "vibes_created_at",
        "vibes_updated_at",
        "carrier_code",
        "timezone",
    }
)


def _shown_to_person(event: SubscriptionEvent, older: SubscriptionEvent | None) -> bool:
    """``older``: the next older event of the same list (None for details)."""
    if event.kind == SubscriptionEvent.Kind.DETAILS_CHANGED:
        return not set(event.changes or {}) <= _BOOKKEEPING_FIELDS
    # Vibes confirming a step already recorded (the answer to our push, then its callback)
    # is one step for the person, shown once, as and when it was first taken. Compared
    # within the list: the echoes of two lists left together arrive after both steps.
    return not (older is not None and older.kind == event.kind)


def history_rows(person: Person) -> list[HistoryRow]:
    events = list(
        SubscriptionEvent.objects.filter(person=person, superseded=False)
        .select_related("subscription_list")
        .order_by("-occurred_at", "-id")[: HISTORY_SIZE * 3]
    )
    shown = []
    for i, e in enumerate(events):
        older = None
        if e.subscription_list_id is not None:
            older = next(
                (o for o in events[i + 1 :] if o.subscription_list_id == e.subscription_list_id),
                None,
            )
        if _shown_to_person(e, older):
            shown.append(e)
    rows = []
    for e in shown[:HISTORY_SIZE]:
        name = in_language(e.subscription_list, "name") if e.subscription_list else ""
        text = str(_KIND_TEXT.get(e.kind, e.kind)) % {"list": name}
        if e.kind == SubscriptionEvent.Kind.OPTIN_REJECTED and e.opt_out_reason == "expired":
            text = _("The confirmation for %(list)s expired") % {"list": name}
        changes = e.changes or {}
        if e.kind == SubscriptionEvent.Kind.DETAILS_CHANGED and "number_valid" in changes:
            valid = changes["number_valid"][1]
            text = _("Number valid again") if valid else _("Number no longer valid")
        elif e.kind == SubscriptionEvent.Kind.DETAILS_CHANGED and "pending_mdn" in changes:
            if "mdn" in changes:
                text = _("New number confirmed")
            elif changes["pending_mdn"][1]:
                text = _("New number requested")
            elif e.opt_out_reason:
                text = _("New number not used")
            else:
                text = _("New number withdrawn")
        how = _SOURCE_TEXT.get(e.source, _("by us"))
        if e.opt_out_reason in DEAD_NUMBER_REASONS:
            how = _SOURCE_TEXT[Source.PUSH]  # the carrier's report, not a text the person sent
        rows.append(HistoryRow(e.occurred_at, text, str(how)))
    return rows


def _last_number_event(person: Person) -> SubscriptionEvent | None:
    """The newest history row about a new number, unless one is waiting now."""
    if person.pending_mdn:
        return None
    return (
        SubscriptionEvent.objects.filter(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            superseded=False,
            changes__has_key="pending_mdn",
        )
        .order_by("-occurred_at", "-id")
        .first()
    )


def _code_unsent(person: Person) -> str:
    """When the newest code for a new number could not be texted (Vibes' event_processed,
    ``outbox/texts.py``), what the page says instead of asking for it."""
    text = (
        Text.objects.filter(
            person=person,
            kind=Text.Kind.NUMBER_CODE,
            created_at__gte=timezone.now() - UNSENT_CODE_SHOWN,
        )
        .select_related("proof")
        .order_by("-pk")
        .first()
    )
    if text is None or text.state != Text.State.FAILED or text.proof is None or text.proof.proved:
        return ""
    return _(
        "We couldn't text a code to %(number)s: our texting service could not send to it. "
        "Check the number and try again, or use another number."
    ) % {"number": mask(text.proof.mdn, unbroken=True)}


def expired_number(person: Person) -> str:
    """The new number whose confirmation text went unanswered, when that is the last word
    on a new number (so its request can be sent again), else "". Read here, never sent
    to the page: the page shows numbers masked."""
    last = _last_number_event(person)
    if last is None or last.opt_out_reason != "expired":
        return ""
    return (last.changes.get("pending_mdn") or [""])[0] or ""


def number_problem(person: Person) -> str:
    """What the page says when the code for a new number could not be texted, the person's
    number stopped working or their last new number was not used, else ""."""
    unsent = _code_unsent(person)
    if unsent or person.pending_mdn:
        return unsent
    if number_is_dead(person):
        return _(
            "Our texting service reports that %(number)s is no longer in service, so every "
            "list has ended for it. To get texts again, add your mobile number below and "
            "confirm it."
        ) % {"number": mask(person.mdn, unbroken=True)}
    last = _last_number_event(person)
    if last is None or last.opt_out_reason not in NUMBER_REASONS:
        return ""
    number = mask((last.changes.get("pending_mdn") or [""])[0], unbroken=True)
    return _("We couldn't switch your texts to %(number)s. %(reason)s") % {
        "number": number,
        "reason": NUMBER_REASONS[last.opt_out_reason],
    }
