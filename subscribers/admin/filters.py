"""Changelist filters and search for persons, each backed by an index.

Filters on subscriptions use ``EXISTS`` rather than a join, so a person on several lists
is listed once and no ``DISTINCT`` is needed. When both the list and the status filter are
set, the status filter applies to that list's subscription, so "opted out of Weekly deals"
means exactly that.
"""

import re

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ..models import Subscription, SubscriptionList
from ..phone import normalize_for_search
from ..reasons import reason_choices

LIST_PARAM = "list"
STATUS_PARAM = "status"


class SubscriptionListFilter(admin.SimpleListFilter):
    title = _("list")
    parameter_name = LIST_PARAM

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in SubscriptionList.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(
                Subscription.objects.filter(
                    person=OuterRef("pk"), subscription_list_id=self.value()
                )
            )
        )


class SubscriptionStatusFilter(admin.SimpleListFilter):
    title = _("subscription status")
    parameter_name = STATUS_PARAM

    def lookups(self, request, model_admin):
        return Subscription.Status.choices

    def queryset(self, request, queryset):
        status = self.value()
        if status not in Subscription.Status.values:
            return queryset
        subscriptions = Subscription.objects.filter(person=OuterRef("pk"), status=status)
        list_id = request.GET.get(LIST_PARAM)
        if list_id and list_id.isdigit():
            subscriptions = subscriptions.filter(subscription_list_id=list_id)
        return queryset.filter(Exists(subscriptions))


class OptOutReasonFilter(admin.SimpleListFilter):
    """The reasons in words with their code; the choices are the known codes, so listing
    them reads nothing from the history table."""

    title = _("opt-out reason")
    parameter_name = "opt_out_reason"

    def lookups(self, request, model_admin):
        return reason_choices()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(opt_out_reason=self.value())


def first_name_expression():
    """The exact expression of the ``person_first_name_idx`` index."""
    return Lower(KeyTextTransform("first_name", "custom_fields"))


def last_name_expression():
    return Lower(KeyTextTransform("last_name", "custom_fields"))


#: The shortest part of a number or name matched anywhere in it: a trigram index (the
#: migration ``person_search_trigram_indexes``, PostgreSQL) needs three characters.
PART_MIN = 3
#: Ten digits or more are a whole number: matched exactly once normalised (above), which is
#: one index lookup; a part of a number is shorter.
WHOLE_NUMBER_DIGITS = 10
_NUMBER_LIKE = re.compile(r"[\d\s()+.\-]+")


def person_search(queryset, term: str):
    """Persons matching what staff typed, each way backed by an index.

    A number in any format (``(415) 555-0132``, ``+1 415…``) is normalised to E.164 and
    matched on ``mdn``; the term is also tried as person key, legacy Vibes id and external
    id; a name is matched case-insensitively on first or last name, and "first last" on
    both. Digits (three or more: the last four, an area code) are found anywhere in the
    number, and each word of three letters or more anywhere in the first or last name
    ("gar" finds Garcia): on PostgreSQL through trigram indexes, on SQLite by a scan.
    """
    term = " ".join(term.split())
    if not term:
        return queryset
    condition = (
        Q(person_key=term) | Q(vibes_person_id=term) | Q(external_person_id=term) | Q(mdn=term)
    )
    number = normalize_for_search(term)
    if number:
        condition |= Q(mdn=number)
    lowered = term.lower()
    queryset = queryset.alias(_first=first_name_expression(), _last=last_name_expression())
    condition |= Q(_first=lowered) | Q(_last=lowered)
    first, _, last = lowered.partition(" ")
    if last:
        condition |= Q(_first=first, _last=last)
    if _NUMBER_LIKE.fullmatch(term):
        digits = re.sub(r"\D", "", term)
        if PART_MIN <= len(digits) < WHOLE_NUMBER_DIGITS:
            condition |= Q(mdn__contains=digits)
    else:
        words = lowered.split()
        if words and all(len(w) >= PART_MIN for w in words):
            every_word = Q()
            for word in words:
                every_word &= Q(_first__contains=word) | Q(_last__contains=word)
            condition |= every_word
    return queryset.filter(condition)
