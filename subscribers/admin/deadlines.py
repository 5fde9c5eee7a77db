"""Open opt-outs: every opt-out Vibes has not confirmed yet, oldest first, with its age,
its deadlines and what holds it (subscribers/deadlines.py).

What holds one is read from the newest push that would confirm it (the subscription's, or
the person's erasure push), one subquery per row of the page, on the outbox's
(person, state) index.
"""

from django.contrib import admin, messages
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from ..models import Push, Source
from ..outbox.access import access_refused
from .erasure import ReadOnlyAdmin

HOLDS = {
    Push.State.STOPPED: _("push stopped: needs staff"),
    Push.State.FAILED: _("push failed: retried hourly"),
    Push.State.PENDING: _("push waiting to be sent"),
    Push.State.DONE: _("sent; waiting for Vibes to confirm"),
    Push.State.SUPERSEDED: _("waiting for a newer push"),
}


class OpenFilter(admin.SimpleListFilter):
    """Open ones by default: the list is a to-do list."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Open")),
            ("late", _("Confirmed late")),
            ("confirmed", _("Confirmed")),
            ("all", _("All")),
        ]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(confirmed_at__isnull=True)
        if value == "late":
            # Late on our side only: an opt-out Vibes reported was never ours to confirm.
            return queryset.filter(confirmed_at__gt=F("target_at")).exclude(
                source__in=Source.from_vibes()
            )
        if value == "confirmed":
            return queryset.filter(confirmed_at__isnull=False)
        return queryset


class OptOutDeadlineAdmin(ReadOnlyAdmin):
    list_display = (
        "opted",
        "age",
        "person",
        "subscription_list",
        "source",
        "target",
        "holding",
    )
    list_filter = (OpenFilter, "source")
    list_select_related = ("person", "subscription_list")
    ordering = ("opted_out_at", "id")
    show_full_result_count = False
    list_per_page = 50

    class Media:
        css = {"all": ["subscribers/staff.css"]}

    def changelist_view(self, request, extra_context=None):
        if (
            request.GET.get("state", "open") == "open"
            and not self.model.objects.filter(confirmed_at__isnull=True).exists()
        ):
            messages.success(
                request,
                _(
                    "Nothing is open: Vibes has confirmed every opt-out made here. "
                    "Confirmed late lists the ones it confirmed after the internal target."
                ),
            )
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        newest_push = Push.objects.filter(person_id=OuterRef("person_id")).filter(
            Q(kind=Push.Kind.SUBSCRIPTION, subscription_list_id=OuterRef("subscription_list_id"))
            | Q(kind=Push.Kind.ERASURE)
        )
        newest_push = newest_push.order_by("-id")
        return (
            super()
            .get_queryset(request)
            .annotate(
                push_state=Subquery(newest_push.values("state")[:1]),
                push_error=Subquery(newest_push.values("last_error")[:1]),
            )
        )

    @admin.display(description=_("opted out"), ordering="opted_out_at")
    def opted(self, row):
        return f"{timezone.localtime(row.opted_out_at):%Y-%m-%d %H:%M}"

    @admin.display(description=_("age"))
    def age(self, row):
        return timesince(row.opted_out_at, row.confirmed_at or timezone.now())

    @admin.display(description=_("internal target"), ordering="target_at")
    def target(self, row):
        if row.source in Source.from_vibes():
            return _("from Vibes: nothing to confirm")
        if row.confirmed_at:
            return _("met") if row.confirmed_at <= row.target_at else _("missed")
        state = _("past") if row.target_at < timezone.now() else _("not yet")
        # The legal due date with it, so the table fits a laptop screen.
        return _("%(state)s; due %(due)s") % {"state": state, "due": f"{row.due_at:%Y-%m-%d}"}

    @admin.display(description=_("held by"))
    def holding(self, row):
        if row.confirmed_at:
            return _("confirmed (%(how)s) %(when)s") % {
                "how": row.confirmed_how,
                "when": f"{timezone.localtime(row.confirmed_at):%Y-%m-%d %H:%M}",
            }
        if access_refused():
            return _("Vibes refuses our credentials: every push waits")
        state = getattr(row, "push_state", None)
        if state is None:
            return _("no push recorded: re-read from Vibes or push now")
        held = str(HOLDS.get(state, state))
        error = (getattr(row, "push_error", "") or "")[:120]
        return f"{held}: {error}" if error and state != Push.State.DONE else held
