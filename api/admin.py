"""API clients and their keys for staff: scopes as boxes; keys issued, rotated and revoked
by actions; a new key shown once (api/shown_once.py)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .keys import key_issue, key_rotate, keys_revoke
from .models import ApiClient, ApiKey, Scope
from .shown_once import shown_once


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "is_active"]


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _show_keys(modeladmin, request, issued):
    return shown_once(
        modeladmin,
        request,
        title=_("New API keys"),
        what=_("API client"),
        secret_label=_("Key"),
        secrets=issued,
    )


@admin.action(description=_("Issue a new key (older keys keep working)"), permissions=["change"])
def issue_key(modeladmin, request, queryset):
    issued = [(c, key_issue(client=c, created_by=request.user.get_username())) for c in queryset]
    return _show_keys(modeladmin, request, issued)


@admin.action(description=_("Rotate: a new key, every older one revoked"), permissions=["change"])
def rotate_key(modeladmin, request, queryset):
    issued = [(c, key_rotate(client=c, created_by=request.user.get_username())) for c in queryset]
    return _show_keys(modeladmin, request, issued)


@admin.action(description=_("Revoke every key"), permissions=["change"])
def revoke_keys(modeladmin, request, queryset):
    n = keys_revoke(keys=ApiKey.objects.filter(client__in=queryset))
    modeladmin.message_user(request, _("%(n)d key(s) revoked.") % {"n": n}, messages.SUCCESS)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scope_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [ApiKeyInline]
    actions = [issue_key, rotate_key, revoke_keys]

    @admin.display(description=_("scopes"))
    def scope_list(self, client):
        return ", ".join(client.scopes or [])

    def response_add(self, request, obj, post_url_continue=None):
        key = key_issue(client=obj, created_by=request.user.get_username())
        return _show_keys(self, request, [(obj, key)])


@admin.action(description=_("Revoke the selected keys"), permissions=["change"])
def revoke_selected(modeladmin, request, queryset):
    n = keys_revoke(keys=queryset)
    modeladmin.message_user(request, _("%(n)d key(s) revoked.") % {"n": n}, messages.SUCCESS)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "client", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "client__name"]
    readonly_fields = ["client", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = [revoke_selected]

    def has_add_permission(self, request):
        return False
