"""Numbers no longer valid (read-only): which person's number died, why, and whether
someone else holds that number now, so staff can answer "this number was disconnected:
is its new owner on our lists?"."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .. import phone
from ..models import Person, Subscription
from ..reasons import reason_text
from .base import ReadOnlyHistoryMixin


class DeadNumberAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    list_display = ("ended_at", "person", "number", "reason_words", "revived_at", "now_held_by")
    list_filter = ("reason",)
    list_select_related = ("person",)
    ordering = ("-ended_at", "-id")
    fields = ("person", "number", "reason_words", "ended_at", "revived_at", "callback")
    readonly_fields = fields

    @admin.display(description=_("number"))
    def number(self, dead):
        return phone.mask(dead.mdn, unbroken=True)

    @admin.display(description=_("opt-out reason"), ordering="reason")
    def reason_words(self, dead):
        return reason_text(dead.reason)

    @admin.display(description=_("now held by"))
    def now_held_by(self, dead):
        """Other persons with this number since, and how many lists they are on."""
        open_lists = Count("subscriptions", filter=Q(subscriptions__status__in=Subscription.OPEN))
        others = list(
            Person.objects.filter(mdn=dead.mdn)
            .exclude(pk=dead.person_id)
            .annotate(open_lists=open_lists)
            .order_by("id")[:5]
        )
        if not others:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:subscribers_person_change", args=[p.pk]),
                    str(p),
                    _("%(n)d open list(s)") % {"n": p.open_lists},
                )
                for p in others
            ),
        )
