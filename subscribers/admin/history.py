"""The append-only history (read-only for everyone)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..reasons import reason_text
from .base import ReadOnlyHistoryMixin
from .filters import OptOutReasonFilter
from .paging import EstimatedCountPaginator


class SubscriptionEventAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "person",
        "subscription_list",
        "kind",
        "source",
        "reason",
        "superseded",
    )
    list_filter = ("kind", "source", OptOutReasonFilter)
    list_select_related = ("person", "subscription_list")
    raw_id_fields = ("person", "staff_user", "callback")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator

    readonly_fields = ("reason",)

    def get_fields(self, request, obj=None):
        """The model's fields, the reason in words in the place of its bare code."""
        fields = [f for f in super().get_fields(request, obj) if f != "reason"]
        return ["reason" if f == "opt_out_reason" else f for f in fields]

    @admin.display(description=_("opt-out reason"), ordering="opt_out_reason")
    def reason(self, event):
        return reason_text(event.opt_out_reason) or "—"
