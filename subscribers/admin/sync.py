"""Admin for the push to Vibes: person actions and a read-only view of the outbox.

The actions only queue work (outbox rows and tasks, after commit); no HTTP happens in the
request. ``PERSON_ACTIONS`` is added to ``PersonAdmin.actions``.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..outbox.models import Push, PushAttempt
from ..outbox.publish import publish
from ..outbox.states import persons_push_now
from .texts import TextInline

REREAD_TASK = "subscribers.tasks.person_reread"


@admin.action(description=_("Push now to Vibes"), permissions=["change"])
def push_now(modeladmin, request, queryset):
    """Queue a push of each person's details, and retry their failed or stopped pushes."""
    ids = list(queryset.values_list("pk", flat=True))
    persons_push_now(ids)
    count = len(ids)
    modeladmin.message_user(
        request,
        ngettext("Push queued for %d person.", "Pushes queued for %d persons.", count) % count,
        messages.SUCCESS,
    )


@admin.action(description=_("Re-read from Vibes"), permissions=["change"])
def reread_from_vibes(modeladmin, request, queryset):
    """Queue a re-read of each person and their subscriptions (source: reconcile)."""
    ids = list(queryset.values_list("pk", flat=True))
    # A down or hung broker must neither fail nor hang the page.
    transaction.on_commit(lambda: publish(REREAD_TASK, [(pk,) for pk in ids]))
    modeladmin.message_user(
        request,
        ngettext("Re-read queued for %d person.", "Re-reads queued for %d persons.", len(ids))
        % len(ids),
        messages.SUCCESS,
    )


PERSON_ACTIONS = [push_now, reread_from_vibes]


class PushAttemptInline(admin.TabularInline):
    model = PushAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "method", "path", "http_status", "error", "duration_ms", "request_body")
    readonly_fields = fields
    ordering = ("-id",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Push)
class PushAdmin(admin.ModelAdmin):
    """Every push and what Vibes answered; read-only (use the person actions to act)."""

    list_display = (
        "id",
        "person",
        "kind",
        "subscription_list",
        "state",
        "attempts",
        "generation",
        "updated_at",
        "short_error",
    )
    list_filter = ("state", "kind")
    list_select_related = ("person", "subscription_list")
    search_fields = ("=person__external_person_id", "=person__person_key", "=person__id")
    inlines = [PushAttemptInline, TextInline]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
