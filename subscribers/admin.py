"""Admin registration. Staff edits go through the services, so they record history."""

from django.contrib import admin

from . import admin_sync, services
from .models import CustomField, Person, Source, Subscription, SubscriptionEvent, SubscriptionList


class ReadOnlyHistoryMixin:
    """History is append-only for everyone, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ("subscription_list", "status", "opt_in_date", "opt_out_date", "opt_out_reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("__str__", "masked_mdn", "external_person_id", "sync_state", "last_change_at")
    search_fields = ("=external_person_id", "=person_key", "=mdn")
    readonly_fields = (
        "person_key",
        "vibes_person_id",
        "vibes_created_at",
        "vibes_updated_at",
        "created_at",
        "updated_at",
        "sync_state",
        "sync_error",
        "last_change_source",
        "last_change_at",
        "link_version",
    )
    inlines = [SubscriptionInline]
    show_full_result_count = False
    actions = admin_sync.PERSON_ACTIONS  # push now / re-read from Vibes (queued, no HTTP here)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
        if change:
            services.person_update(
                person=obj,
                source=Source.ADMIN,
                staff_user=request.user,
                **values,
            )
        else:
            created = services.person_create(
                source=Source.ADMIN,
                staff_user=request.user,
                **values,
            )
            obj.pk = created.pk
            obj.refresh_from_db()


@admin.register(SubscriptionList)
class SubscriptionListAdmin(admin.ModelAdmin):
    list_display = ("name", "list_id", "acquisition_campaign_id", "is_public")
    search_fields = ("name", "=list_id")


@admin.register(SubscriptionEvent)
class SubscriptionEventAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "person", "subscription_list", "kind", "source", "superseded")
    list_filter = ("kind", "source")
    list_select_related = ("person", "subscription_list")
    show_full_result_count = False


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "field_type", "subscriber_editable", "position")
    list_editable = ("subscriber_editable", "position")
