"""Staff's erasure (a person's right to deletion) and the suppression list.

``erase`` is a Person action (changelist and change page) for users with
``subscribers.erase_person``: a confirmation page that asks for the reason and for the
word ERASE, then ``services.person_erase`` for each person. The suppression list and the
numbers named again after it are read-only here; a hit is marked reviewed in one click.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import Person, Source

PERMISSION = "subscribers.erase_person"
#: One transaction per person; a larger selection is refused rather than half done.
MAX_ERASE = 100
CONFIRM_WORD = "ERASE"


class EraseForm(forms.Form):
    note = forms.CharField(
        label=_("Why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in each person's history with your name, e.g. “asked by email”."),
        error_messages={"required": _("Say why: it is kept in the history.")},
    )
    confirm = forms.CharField(
        label=_("Type ERASE to confirm"),
        max_length=10,
        error_messages={"required": _("Type ERASE: an erasure cannot be undone.")},
    )

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value.upper() != CONFIRM_WORD:
            raise forms.ValidationError(_("Type ERASE: an erasure cannot be undone."))
        return value


def has_erase_permission(request) -> bool:
    return request.user.has_perm(PERMISSION)


def erase(modeladmin, request, queryset, *, single: Person | None = None):
    """Ask why, then erase the selected persons; their numbers stay suppressed."""
    if not has_erase_permission(request):
        raise PermissionDenied
    total = queryset.count()
    if total > MAX_ERASE:
        modeladmin.message_user(
            request,
            _("Erase at most %(max)d persons at a time (%(n)d selected).")
            % {"max": MAX_ERASE, "n": total},
            messages.ERROR,
        )
        return None
    form = EraseForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        erased = 0
        for person in queryset.order_by("pk"):
            services.person_erase(
                person=person,
                source=Source.ADMIN,
                staff_user=request.user,
                note=form.cleaned_data["note"],
            )
            erased += 1
        modeladmin.message_user(
            request,
            ngettext(
                "%(n)d person erased: their data is wiped here, their number is suppressed, "
                "and Vibes is asked to null their record.",
                "%(n)d persons erased: their data is wiped here, their numbers are suppressed, "
                "and Vibes is asked to null their records.",
                erased,
            )
            % {"n": erased},
            messages.SUCCESS,
        )
        if single is not None:
            return HttpResponseRedirect(
                reverse("admin:subscribers_person_change", args=[single.pk])
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase personal data"),
        "opts": modeladmin.model._meta,
        "form": form,
        "persons": list(queryset[:20]),
        "total": total,
        "single": single,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
    }
    return TemplateResponse(request, "admin/subscribers/person/erase.html", context)


erase.short_description = _("Erase personal data (keep the number suppressed)…")
erase.allowed_permissions = ("erase",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuppressedNumberAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "reason", "person", "hit_count")
    list_filter = ("reason",)
    list_select_related = ("person",)
    fields = ("number_hash", "reason", "person", "created_at")
    readonly_fields = fields

    @admin.display(description=_("named again"))
    def hit_count(self, entry):
        return entry.hits.count()


class SuppressionHitAdmin(ReadOnlyAdmin):
    list_display = (
        "seen_at",
        "what",
        "source",
        "refused",
        "tries",
        "last_seen_at",
        "person",
        "subscription_list",
    )
    list_filter = (("reviewed_at", admin.EmptyFieldListFilter), "refused", "source")
    list_select_related = ("person", "subscription_list")
    readonly_fields = (
        "suppressed",
        "seen_at",
        "what",
        "source",
        "refused",
        "tries",
        "last_seen_at",
        "person",
        "subscription_list",
        "reviewed_at",
        "reviewed_by",
    )
    actions = ["mark_reviewed"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("subscribers.change_suppressionhit")

    @admin.action(description=_("Mark reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        done = queryset.filter(reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by=request.user
        )
        self.message_user(request, _("%(n)d marked reviewed.") % {"n": done}, messages.SUCCESS)
