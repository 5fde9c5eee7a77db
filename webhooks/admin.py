"""Webhook endpoints, events and the delivery log for staff: a new endpoint's secret shown
once, re-enabling an endpoint the deliveries disabled, replaying deliveries."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from api.shown_once import shown_once

from .deliver import delivery_replay
from .models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .record import deliveries_publish
from .signing import secret_new


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_types", "enabled"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("An http(s) URL."))
        return url


def _show_secrets(modeladmin, request, secrets):
    return shown_once(
        modeladmin,
        request,
        title=_("Webhook signing secrets"),
        what=_("Endpoint"),
        secret_label=_("Signing secret"),
        secrets=secrets,
    )


def _publish_pending(endpoints) -> None:
    pairs = (
        WebhookDelivery.objects.filter(endpoint__in=endpoints, state=WebhookDelivery.State.PENDING)
        .values_list("endpoint_id", "ordering_key")
        .distinct()
        .order_by()
    )
    pairs = list(pairs)
    transaction.on_commit(lambda: deliveries_publish(pairs))


@admin.action(description=_("Enable again and send what waits"), permissions=["change"])
def enable_again(modeladmin, request, queryset):
    n = queryset.update(enabled=True, disabled_at=None)
    _publish_pending(queryset)
    modeladmin.message_user(request, _("%(n)d endpoint(s) enabled.") % {"n": n}, messages.SUCCESS)


@admin.action(description=_("New signing secret"), permissions=["change"])
def new_secret(modeladmin, request, queryset):
    shown = []
    for endpoint in queryset:
        endpoint.secret = secret_new()
        endpoint.save(update_fields=["secret"])
        shown.append((endpoint, endpoint.secret))
    return _show_secrets(modeladmin, request, shown)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "enabled", "disabled_at", "created_at"]
    list_filter = ["enabled", ("disabled_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "description"]
    readonly_fields = ["disabled_at", "created_at"]
    actions = [enable_again, new_secret]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = secret_new()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return _show_secrets(self, request, [(obj, obj.secret)])


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["started_at", "duration_ms", "status_code", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Replay (send again now)"), permissions=["change"])
def replay(modeladmin, request, queryset):
    pks = list(queryset.values_list("pk", flat=True))
    n = delivery_replay(deliveries=WebhookDelivery.objects.filter(pk__in=pks))
    _publish_pending(WebhookEndpoint.objects.filter(deliveries__pk__in=pks).distinct())
    modeladmin.message_user(request, _("%(n)d delivery(ies) queued.") % {"n": n}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event_type",
        "msg_id",
        "endpoint",
        "state",
        "attempts",
        "created_at",
        "delivered_at",
        "last_error",
    ]
    list_filter = ["state", "endpoint", "event__event_type"]
    search_fields = ["event__msg_id"]
    list_select_related = ["event", "endpoint"]
    fields = [
        "event_type",
        "msg_id",
        "endpoint",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "body",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = [replay]

    @admin.display(description=_("type"), ordering="event__event_type")
    def event_type(self, delivery):
        return delivery.event.event_type

    @admin.display(description=_("event id"))
    def msg_id(self, delivery):
        return delivery.event.msg_id

    @admin.display(description=_("body"))
    def body(self, delivery):
        return delivery.event.payload

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
