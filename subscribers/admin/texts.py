"""Texts of our own (the code proving a new number, a link asked for by number) and what
Vibes said about each: read-only, for staff asking why a subscriber got no text. The
sealed code is never shown; the link is not stored at all (``outbox/texts.py``)."""

from django.contrib import admin

from ..outbox.models import Text
from .base import ReadOnlyHistoryMixin as ReadOnly

SHOWN = (
    "person",
    "kind",
    "state",
    "reason",
    "event_type",
    "event_id",
    "push",
    "created_at",
    "settled_at",
)


@admin.register(Text)
class TextAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("id", "person", "kind", "state", "reason", "created_at", "settled_at")
    list_filter = ("state", "kind")
    list_select_related = ("person",)
    search_fields = ("=event_id", "=person__id", "=person__external_person_id")
    fields = readonly_fields = SHOWN
    show_full_result_count = False


class TextInline(ReadOnly, admin.StackedInline):
    """On a push of kind "text": the text it sent and Vibes' word on it, for whoever may
    see the push (the Marketing group may: subscribers/migrations/0002_marketing_group.py)."""

    model = Text
    extra = 0
    fields = readonly_fields = ("kind", "state", "reason", "event_type", "event_id", "settled_at")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("subscribers.view_push")
