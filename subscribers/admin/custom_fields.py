"""Custom field definitions in the admin: options as rows (key, label, Spanish label), and
the reminder that Vibes must know the key first (it refuses unknown custom fields with a
422, subscribers/custom_values.py)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import CustomField

EXTRA_ROWS = 3  # empty rows offered under the options already there
PARTS = (
    ("key", _("Key (as in Vibes)")),
    ("label", _("Label")),
    ("label_es", _("Label in Spanish")),
)


class OptionRowsWidget(forms.Widget):
    """One row of inputs per option, plus empty rows; a row left empty is dropped. Plain
    inputs, no script: each is ``<name>-<row>-<part>``, the row count in ``<name>-rows``."""

    def value_from_datadict(self, data, files, name):
        try:
            count = min(int(data.get(f"{name}-rows", 0)), 500)
        except (TypeError, ValueError):
            count = 0
        return [
            {part: str(data.get(f"{name}-{row}-{part}", "")).strip() for part, _label in PARTS}
            for row in range(count)
        ]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data

    def render(self, name, value, attrs=None, renderer=None):
        rows = [o for o in (value or []) if isinstance(o, dict)]
        rows += [{}] * EXTRA_ROWS
        head = format_html_join("", '<th scope="col">{}</th>', ((label,) for _p, label in PARTS))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html_join(
                        "",
                        '<td><input type="text" name="{}-{}-{}" value="{}" maxlength="100" '
                        'aria-label="{}"></td>',
                        (
                            (
                                name,
                                row,
                                part,
                                option.get(part, "") or "",
                                gettext("Option %(n)d: %(part)s") % {"n": row + 1, "part": label},
                            )
                            for part, label in PARTS
                        ),
                    ),
                )
                for row, option in enumerate(rows)
            ),
        )
        return format_html(
            '<input type="hidden" name="{}-rows" value="{}">'
            '<table class="option-rows"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
            name,
            len(rows),
            head,
            body,
        )


class OptionRowsField(forms.Field):
    widget = OptionRowsWidget

    def clean(self, value):
        options, seen = [], set()
        for option in value or []:
            if not any(option.values()):
                continue
            key = option.get("key", "")
            if not key:
                raise ValidationError(
                    gettext("Each option needs its key, as it is in Vibes (“%(label)s”).")
                    % {"label": option.get("label", "")}
                )
            if key in seen:
                raise ValidationError(gettext("The key “%(key)s” is there twice.") % {"key": key})
            seen.add(key)
            options.append({part: option[part] for part, _label in PARTS if option.get(part)})
        return options


class CustomFieldForm(forms.ModelForm):
    options = OptionRowsField(
        label=_("Options"),
        required=False,
        help_text=_(
            "For single and multi select fields: one row per option. The key must be the "
            "option's key in Vibes; the labels are what people read."
        ),
    )

    class Meta:
        model = CustomField
        fields = (
            "key",
            "label",
            "label_es",
            "field_type",
            "options",
            "subscriber_editable",
            "position",
        )
        help_texts = {
            "key": _(
                "Create the field in Vibes first, with exactly this key. Vibes refuses every "
                "update that names a field it does not know, so a key it lacks stops the "
                "pushes of each person given a value."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        select = cleaned.get("field_type") in (
            CustomField.Type.SINGLE_SELECT,
            CustomField.Type.MULTI_SELECT,
        )
        if select and not cleaned.get("options"):
            self.add_error("options", gettext("A select field needs at least one option."))
        if not select and cleaned.get("options"):
            self.add_error("options", gettext("Only select fields have options."))
        return cleaned


class CustomFieldAdmin(admin.ModelAdmin):
    form = CustomFieldForm

    class Media:
        css = {"all": ["subscribers/staff.css"]}

    list_display = ("label", "key", "field_type", "subscriber_editable", "position", "at_vibes")
    list_editable = ("subscriber_editable", "position")
    readonly_fields = ("refused_at", "refused_reason")
    actions = ["vibes_knows_them_now"]
    fieldsets = (
        (
            None,
            {
                "description": _(
                    "A custom field must exist in Vibes before it is added here: add it in "
                    "Vibes first, then here with the same key."
                ),
                "fields": ("key", "label", "label_es", "field_type", "options"),
            },
        ),
        (_("Preference page"), {"fields": ("subscriber_editable", "position")}),
        (
            _("At Vibes"),
            {
                "description": _(
                    "When Vibes answers that it does not know a field, the field is left out "
                    "of every push (the person's other details still go) until it exists in "
                    "Vibes and you say so with the action “Vibes knows these fields now”."
                ),
                "fields": ("refused_at", "refused_reason"),
            },
        ),
    )

    @admin.display(description=_("at Vibes"))
    def at_vibes(self, obj):
        return gettext("refused: unknown to Vibes") if obj.refused_at else gettext("sent")

    @admin.action(description=_("Vibes knows these fields now"), permissions=["change"])
    def vibes_knows_them_now(self, request, queryset):
        n = services.custom_fields_accepted(keys=queryset.values_list("key", flat=True))
        self.message_user(request, gettext("%(n)d field(s) will be sent again.") % {"n": n})
