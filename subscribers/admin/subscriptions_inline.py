"""The person page's subscriptions: one read-only row per list, reasons in words."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Subscription
from ..reasons import reason_text


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = (
        "subscription_list",
        "status",
        "opt_in_date",
        "opt_out_date",
        "reason",
        "acquisition_campaign_id",
    )
    readonly_fields = fields
    can_delete = False
    ordering = ("subscription_list__name",)
    template = "admin/subscribers/person/subscriptions_inline.html"

    def get_queryset(self, request):
        # Subscription.__str__ (the row's title) names the person: join it, not N+1.
        return super().get_queryset(request).select_related("subscription_list", "person")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("opt-out reason"))
    def reason(self, subscription):
        return reason_text(subscription.opt_out_reason) or "—"
