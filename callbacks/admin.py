"""Every callback as received, read-only for everyone, with a replay action."""

import contextlib
import json

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from subscribers.phone import mask, normalize_for_search

from .apply import APPLICABLE, event_apply
from .models import CallbackEvent, CallbackRegistration
from .parsing import clean_for_storage


class ReadOnlyAdminMixin:
    """A callback is kept as received: nobody adds, changes or deletes one, superusers
    included. Staff act on callbacks only through the replay action, which needs the
    change permission (``has_replay_permission``): replaying applies what it says."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CallbackEvent)
class CallbackEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "received_at",
        "callback_type",
        "event_id",
        "event_date",
        "status",
        "person_link",
        "masked_mdn",
        "remote_addr",
    )
    list_filter = ("status", "callback_type", ("received_at", admin.DateFieldListFilter))
    search_fields = ("=event_id",)
    search_help_text = _("Event id, mobile number, person key or external id.")
    list_select_related = ("person",)
    show_full_result_count = False
    actions = ["replay"]
    fieldsets = (
        (
            _("Outcome"),
            {"fields": ("status", "error", "processed_at", "attempts", "person_link")},
        ),
        (
            _("Event"),
            {
                "fields": (
                    "callback_type",
                    "event_id",
                    "event_date",
                    "callback_id",
                    "delivery_attempt",
                    "masked_mdn",
                )
            },
        ),
        (
            _("As received"),
            {"fields": ("received_at", "method", "remote_addr", "headers", "pretty_body")},
        ),
    )
    readonly_fields = flatten_fieldsets(fieldsets)  # a callback is kept as received

    def get_search_results(self, request, queryset, search_term):
        """Exact matches only (the table grows fast): event id, number, person ids."""
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q(event_id=term) | Q(person__person_key=term)
        match |= Q(person__external_person_id=term) | Q(person__vibes_person_id=term)
        number = normalize_for_search(term)
        if number:
            match |= Q(mdn=number) | Q(number=number)  # ``number``: any form Vibes sent
        return queryset.filter(match), False

    @admin.display(description=_("person"))
    def person_link(self, obj):
        if obj.person_id is None:
            return "—"
        url = reverse("admin:subscribers_person_change", args=[obj.person_id])
        return format_html('<a href="{}">{}</a>', url, obj.person)

    @admin.display(description=_("mobile number"))
    def masked_mdn(self, obj):
        return mask(obj.mdn)

    @admin.display(description=_("body"))
    def pretty_body(self, obj):
        """The body pretty-printed when it is JSON, else as received; always escaped."""
        text = obj.body
        # A body too deep to re-indent (Vibes' retries are bounded, an attacker's depth is
        # not) is shown as received.
        with contextlib.suppress(ValueError, RecursionError):
            # Parsed again, a body's "\ud83d" is half an emoji that no page can encode.
            text = json.dumps(clean_for_storage(json.loads(obj.body)), indent=2, ensure_ascii=False)
        return format_html('<pre class="callback-body">{}</pre>', text)

    def has_replay_permission(self, request):
        return request.user.has_perm("callbacks.change_callbackevent")

    @admin.action(description=_("Replay selected callbacks"), permissions=["replay"])
    def replay(self, request, queryset):
        outcome = {}
        skipped = 0
        for pk, status in queryset.order_by("event_date", "id").values_list("pk", "status"):
            if status not in APPLICABLE:
                skipped += 1
                continue
            event = event_apply(event_id=pk)
            outcome[event.status] = outcome.get(event.status, 0) + 1
        parts = [f"{n} {status}" for status, n in sorted(outcome.items())]
        if parts:
            self.message_user(request, _("Replayed: %s.") % ", ".join(parts), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("%d skipped: applied, duplicate, superseded and rejected events are final.")
                % skipped,
                messages.WARNING,
            )


@admin.register(CallbackRegistration)
class CallbackRegistrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The registration plan as last applied (callbacks/registering.py): which lists and
    campaigns are blind to which callback. Changed only by ``vibes_register_callbacks``
    and the worker's registration runs."""

    list_display = ("position", "callback_type", "scope", "state", "company_key", "checked_at")
    list_filter = ("state", "callback_type")
    search_fields = ("scope", "callback_id")
