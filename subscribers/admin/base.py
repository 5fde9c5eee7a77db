"""Mixins and markup helpers shared by the admin classes."""

import html

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def escape(value) -> str:
    """``django.utils.html.escape`` without its lazy-string check (which showed in the
    profile: this runs for every value of every row). Same output."""
    return html.escape(str(value))


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


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html`` in Python."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A select rendered without the form template engine (same markup)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                return super().render(name, value, attrs, renderer)
            options.extend(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{escape(option['label'])}</option>\n"
                for option in group_choices
            )
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<select name="{escape(name)}"{_attrs(widget["attrs"])}>{"".join(options)}\n</select>'
        )


class PlainHiddenInput(forms.HiddenInput):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="{self.input_type}" name="{escape(name)}"{shown}'
            f"{_attrs(widget['attrs'])}>"
        )


class FastActionForm(helpers.ActionForm):
    """The changelist's action bar (a select and a hidden input) without the form
    template engine: rendering those two widgets through it cost more than all the
    rows of a page of persons. The markup is the same."""

    action = forms.ChoiceField(
        label=helpers.ActionForm.base_fields["action"].label, widget=PlainSelect
    )
    select_across = forms.BooleanField(
        label="",
        required=False,
        initial=0,
        widget=PlainHiddenInput({"class": "select-across"}),
    )


class FastActionCheckboxMixin:
    """The changelist's row checkbox as a plain string, and the action bar's form.

    Django renders both through the form widget templates, the checkbox once per row: on
    a page of 50 persons that was most of the page's time. The markup is the same.
    """

    action_form = FastActionForm

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
