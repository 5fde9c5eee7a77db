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
from ..outbox.record import push_enqueue
from ..outbox.states import NOT_DISCARDABLE, persons_push_now, push_discard, push_requeue
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
RETRYABLE = (Push.State.FAILED, Push.State.STOPPED)


@admin.action(
    description=_("Retry the selected pushes (once the cause is fixed)"), permissions=["retry"]
)
def retry_pushes(modeladmin, request, queryset):
    pushes = list(queryset.filter(state__in=RETRYABLE))
    with transaction.atomic():
        count = push_requeue(pushes=pushes)
        ids = [p.pk for p in pushes]
        transaction.on_commit(lambda: push_enqueue(ids))
    modeladmin.message_user(
        request,
        ngettext("%d push queued again.", "%d pushes queued again.", count) % count,
        messages.SUCCESS,
    )


@admin.action(
    description=_("Discard the selected pushes (Vibes keeps what it had)"), permissions=["retry"]
)
def discard_pushes(modeladmin, request, queryset):
    pushes = list(queryset.filter(state__in=RETRYABLE))
    count = push_discard(pushes=pushes, by=request.user.get_username())
    modeladmin.message_user(
        request,
        ngettext("%d push discarded.", "%d pushes discarded.", count) % count,
        messages.SUCCESS,
    )
    if any(p.kind in NOT_DISCARDABLE for p in pushes):
        modeladmin.message_user(
            request, _("Erasures are never discarded: retry them instead."), messages.WARNING
        )


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
    """Every push and what Vibes answered; read-only, but for Retry and Discard of the
    failed and stopped ones (and the person actions)."""

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
    actions = [retry_pushes, discard_pushes]

    def has_retry_permission(self, request):
        """Those who may push a person now (the person actions) may retry or discard."""
        return request.user.has_perm("subscribers.change_person")

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
