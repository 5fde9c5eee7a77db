"""Changing a person's number: which campaigns confirm it, and a request that fails.

A new number is never written over the old one: ``services.person_request_number`` keeps
it in ``Person.pending_mdn``, the push (``push_number``) sends it to the acquisition
campaign of each list the person is on, and ``services.person_confirm_number`` applies it
once Vibes says the person replied Y. When Vibes refuses the number, or the person
replies No, ``person_withdraw_number`` drops the request and records why, in words the
preference page shows.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Person, Source, Subscription, SubscriptionEvent, SubscriptionList
from .phone import mask
from .services.history import history_fields
from .sync import pushes_suppressed

#: Why a new number was not used, keyed by the code kept in the history row's
#: ``opt_out_reason``; the wording is what the subscriber reads.
NUMBER_REASONS = {
    "replied_no": gettext_lazy("The new number replied “No” to our confirmation text."),
    "confirmation_blocked": gettext_lazy(
        "The new number once replied “No” to our confirmation text, so we can't text it "
        "from here again. Text the list's keyword from that phone instead."
    ),
    "not_a_mobile_number": gettext_lazy("That number can't receive text messages."),
    "vibes_rejected": gettext_lazy("Our text message service did not accept that number."),
    "no_list": gettext_lazy("No list can confirm a new number online right now."),
}


def number_lists(person: Person) -> list[SubscriptionList]:
    """The lists whose acquisition campaign texts the new number for confirmation.

    Every list the person is on or waiting for; a person on no list gets the first public
    list that can be joined online (the page says so: confirming joins it).
    """
    on = list(
        SubscriptionList.objects.filter(
            subscriptions__person=person,
            subscriptions__status__in=[Subscription.Status.ACTIVE, Subscription.Status.PENDING],
        )
        .exclude(acquisition_campaign_id="")
        .order_by("name", "pk")
    )
    if on:
        return on
    first = (
        SubscriptionList.objects.filter(is_public=True)
        .exclude(acquisition_campaign_id="")
        .order_by("name", "pk")
        .first()
    )
    return [first] if first else []


def person_joins_by_number(person: Person, lists: list | None = None) -> SubscriptionList | None:
    """The list a confirmed new number also joins (one the person is not on), else None."""
    lists = number_lists(person) if lists is None else lists
    if (
        not lists
        or person.subscriptions.filter(
            subscription_list=lists[0],
            status__in=[Subscription.Status.ACTIVE, Subscription.Status.PENDING],
        ).exists()
    ):
        return None
    return lists[0]


def person_withdraw_number(
    *,
    person: Person,
    mdn: str,
    reason: str,
    source: str,
    callback=None,
    occurred_at: datetime | None = None,
    detail: str = "",
) -> bool:
    """Drop the request for ``mdn`` (when it is still the one waiting), recording
    ``reason`` (a ``NUMBER_REASONS`` key). Returns whether anything changed."""
    if reason not in NUMBER_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    occurred_at = occurred_at or timezone.now()
    with pushes_suppressed(source in Source.from_vibes()), transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if not mdn or locked.pending_mdn != mdn:
            return False
        locked.pending_mdn = ""
        locked.last_change_source, locked.last_change_at = source, occurred_at
        locked.save(
            update_fields=["pending_mdn", "last_change_source", "last_change_at", "updated_at"]
        )
        SubscriptionEvent.objects.create(
            person=locked,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            changes={"pending_mdn": [mdn, ""]},
            opt_out_reason=reason,
            **history_fields(
                source=source,
                occurred_at=occurred_at,
                staff_user=None,
                evidence=None,
                callback=callback,
                note=f"new number not used: {NUMBER_REASONS[reason]}"
                + (f" ({detail})" if detail else ""),
            ),
        )
    person.pending_mdn = ""
    person.last_change_source, person.last_change_at = source, occurred_at
    return True


def number_problem(person: Person) -> str:
    """What the page says when the person's last new number was not used, else ""."""
    if person.pending_mdn:
        return ""
    last = (
        SubscriptionEvent.objects.filter(
            person=person,
            kind=SubscriptionEvent.Kind.DETAILS_CHANGED,
            superseded=False,
            changes__has_key="pending_mdn",
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    if last is None or last.opt_out_reason not in NUMBER_REASONS:
        return ""
    number = mask((last.changes.get("pending_mdn") or [""])[0]).replace(" ", "\u00a0")
    return _("We couldn't switch your texts to %(number)s. %(reason)s") % {
        "number": number,
        "reason": NUMBER_REASONS[last.opt_out_reason],
    }
