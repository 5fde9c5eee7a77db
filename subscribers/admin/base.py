"""Mixins shared by the admin classes."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


class ReadOnlyHistoryMixin:
    """History is append-only for everyone, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ObjectOncePerRequestMixin:
    """``get_object`` queries once per request, though the extra context (timeline,
    chart) and the change form both need the object."""

    def get_object(self, request, object_id, from_field=None):
        cache = request.__dict__.setdefault("_admin_objects", {})
        key = (self.model, object_id, from_field)
        if key not in cache:
            cache[key] = super().get_object(request, object_id, from_field)
        return cache[key]


class FastActionCheckboxMixin:
    """The changelist's row checkbox as a plain string.

    Django renders it through the form widget templates, once per row: on a page of 50
    persons that was most of the page's time. The markup is the same.
    """

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
