from django.contrib import admin

from subscribers.admin import ReadOnlyHistoryMixin

from .models import CallbackEvent


@admin.register(CallbackEvent)
class CallbackEventAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    list_display = ("received_at", "callback_type", "event_id", "status", "remote_addr")
    list_filter = ("status", "callback_type")
    search_fields = ("=event_id",)
    show_full_result_count = False
