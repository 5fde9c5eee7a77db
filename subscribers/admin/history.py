"""The append-only history (read-only for everyone) and the custom field definitions."""

from django.contrib import admin

from .base import ReadOnlyHistoryMixin
from .paging import EstimatedCountPaginator


class SubscriptionEventAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "person", "subscription_list", "kind", "source", "superseded")
    list_filter = ("kind", "source")
    list_select_related = ("person", "subscription_list")
    raw_id_fields = ("person", "staff_user", "callback")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator


class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "field_type", "subscriber_editable", "position")
    list_editable = ("subscriber_editable", "position")
