"""Forms of the preference pages: details built from CustomField, number, new link."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import phone
from ..models import CustomField

TEXT_LIMIT = 200  # characters in a text custom field


def _option_key(value) -> str | None:
    """A stored single-select value: Vibes sends an object, we store its option key."""
    if isinstance(value, dict):
        value = value.get("option_key") or value.get("key")
    return str(value) if value not in (None, "") else None


def current_value(field: CustomField, value):
    """The person's stored value as the form field expects it."""
    if field.field_type == CustomField.Type.SINGLE_SELECT:
        return _option_key(value) or ""
    if field.field_type == CustomField.Type.MULTI_SELECT:
        items = value if isinstance(value, list) else ([value] if value else [])
        return [k for k in (_option_key(v) for v in items) if k]
    if field.field_type == CustomField.Type.DATE:
        return str(value)[:10] if value else ""
    return str(value) if value is not None else ""


class DetailsForm(forms.Form):
    """The custom fields staff marked ``subscriber_editable``, validated by type and options.

    ``changed_values()`` gives only what the person changed, in the shape stored in
    ``Person.custom_fields`` (an empty answer removes the key).
    """

    def __init__(self, *args, fields: list[CustomField], person, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.custom_fields = {f.key: f for f in fields}
        stored = person.custom_fields or {}
        for f in fields:
            self.fields[f.key] = self._form_field(f)
            self.initial[f.key] = current_value(f, stored.get(f.key))

    @staticmethod
    def _form_field(f: CustomField) -> forms.Field:
        choices = [(o["key"], o.get("label") or o["key"]) for o in f.options if isinstance(o, dict)]
        if f.field_type == CustomField.Type.DATE:
            return forms.DateField(
                label=f.label,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        if f.field_type == CustomField.Type.SINGLE_SELECT:
            return forms.ChoiceField(
                label=f.label, required=False, choices=[("", _("(none)")), *choices]
            )
        if f.field_type == CustomField.Type.MULTI_SELECT:
            return forms.MultipleChoiceField(
                label=f.label,
                required=False,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
            )
        # Said before typing: the browser stops at the limit without a word otherwise.
        return forms.CharField(
            label=f.label,
            required=False,
            max_length=TEXT_LIMIT,
            strip=True,
            help_text=_("Up to %(limit)d characters.") % {"limit": TEXT_LIMIT},
        )

    def changed_values(self) -> dict:
        out = {}
        for key, f in self.custom_fields.items():
            value = self.cleaned_data.get(key)
            if f.field_type == CustomField.Type.DATE:
                value = value.isoformat() if value else ""
            if value == self.initial.get(key) or (not value and not self.initial.get(key)):
                continue
            out[key] = value if value else None
        return out


class MobileNumberField(forms.CharField):
    """A mobile number typed in any format, cleaned to E.164 (``phone.normalize_typed``)."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value):
        return phone.normalize_typed(super().clean(value))


class NumberForm(forms.Form):
    mdn = MobileNumberField(label=_("New mobile number"))


class NumberCodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the text"), max_length=12)


class LinkRequestForm(forms.Form):
    mdn = MobileNumberField(label=_("Your mobile number"))
