"""Forms of the preference pages: details built from CustomField, number, new link."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import custom_values, phone
from ..models import CustomField


class DetailsForm(forms.Form):
    """The custom fields staff marked ``subscriber_editable``, validated by type and options
    (the fields and their checks are subscribers/custom_values.py's, as in the admin).

    ``changed_values()`` gives only what the person changed, in the shape stored in
    ``Person.custom_fields`` (an empty answer removes the key). A value Vibes sent in a
    form no input of its definition holds (``custom_values.misfit``) is not offered: the
    browser would send it back blank, and saving would delete it.
    """

    def __init__(self, *args, fields: list[CustomField], person, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        stored = person.custom_fields or {}
        fields = [f for f in fields if not custom_values.misfit(f, stored.get(f.key))]
        self.custom_fields = {f.key: f for f in fields}
        for f in fields:
            self.fields[f.key] = custom_values.form_field(f)
            self.initial[f.key] = custom_values.initial_value(f, stored.get(f.key))

    def changed_values(self) -> dict:
        return custom_values.changed_values(self.custom_fields, self.cleaned_data, self.initial)


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
