"""The person form of the admin: details, and custom fields as typed inputs.

Each ``CustomField`` definition becomes a form field of its type (text, date, select,
checkboxes), built and checked by subscribers/custom_values.py like the preference page's.
Stored keys no definition names (most often sent by Vibes) are not inputs: the admin shows
them read-only (``unknown_values_html``), the save leaves them as they are, and the person
push never sends them (subscribers/outbox/kinds/person.py). A value under a defined key that
does not fit its definition (``custom_values.misfit``) is not an input either: a select or
a date input cannot hold it, so the browser would send it back blank and the save would
delete it here and at Vibes. It is shown read-only beside the unknown keys and kept.
"""

import json

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import custom_values
from ..models import CustomField, Person

#: Form field names of custom fields: the definition's key after this prefix, so that no
#: key can shadow a field of the person (a custom field named "mdn", say).
PREFIX = "cf_"


class PersonForm(forms.ModelForm):
    """The person's details as staff type them, custom fields by type. Never the number:
    only the phone proves one (admin/number_change.py)."""

    #: The definitions this form class was built with (``person_form_class``).
    definitions: dict[str, CustomField] = {}

    class Meta:
        model = Person
        fields = ("external_person_id", "carrier_code", "timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.custom_fields or {}
        for key in misfit_keys(self.definitions, self.instance):
            self.fields.pop(PREFIX + key, None)
        for key, definition in self.definitions.items():
            if PREFIX + key in self.fields:
                self.initial[PREFIX + key] = custom_values.initial_value(
                    definition, stored.get(key)
                )

    def clean(self):
        cleaned = super().clean()
        try:
            custom_values.local_values_clean(self.custom_changes(), fields=self.definitions)
        except custom_values.CustomValueError as exc:
            for key, why in exc.errors.items():
                self.add_error(PREFIX + key if PREFIX + key in self.fields else None, why)
        return cleaned

    def custom_changes(self) -> dict:
        """The custom fields staff changed, in the stored shape (``None`` removes a key)."""
        present = {k: f for k, f in self.definitions.items() if PREFIX + k in self.fields}
        return custom_values.changed_values(
            present,
            {k: self.cleaned_data.get(PREFIX + k) for k in present},
            {k: self.initial.get(PREFIX + k) for k in present},
        )


def person_form_class(definitions: dict[str, CustomField]) -> type[PersonForm]:
    """``PersonForm`` with one typed field per definition, named ``PREFIX + key``."""
    attrs = {PREFIX + key: custom_values.form_field(f) for key, f in definitions.items()}
    attrs["definitions"] = definitions
    return type("PersonForm", (PersonForm,), attrs)


def misfit_keys(definitions: dict[str, CustomField], person) -> dict[str, str]:
    """The defined keys whose stored value fits no input of its definition, with why."""
    stored = (person.custom_fields if person is not None else None) or {}
    why = {
        key: custom_values.misfit(definitions[key], value)
        for key, value in stored.items()
        if key in definitions
    }
    return {key: reason for key, reason in why.items() if reason}


def field_names(definitions: dict[str, CustomField], person=None) -> list[str]:
    """The typed inputs for ``person``: one per definition whose value an input can hold."""
    misfits = misfit_keys(definitions, person)
    return [PREFIX + key for key in definitions if key not in misfits]


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def unknown_values_html(person, definitions: dict[str, CustomField]) -> str:
    """The stored values no input can hold: under keys no definition names, and under
    defined keys with a value that does not fit (with why), or "—"."""
    stored = (person.custom_fields if person else None) or {}
    unknown = custom_values.unknown_values(stored, fields=definitions)
    misfits = misfit_keys(definitions, person)
    parts = []
    if misfits:
        parts.append(
            format_html(
                '<dl class="misfit-custom-fields">{}</dl><p class="help">{}</p>',
                format_html_join(
                    "",
                    '<dt>{}</dt><dd>{} <span class="help">({})</span></dd>',
                    ((definitions[k].label, _shown(stored[k]), why) for k, why in misfits.items()),
                ),
                _(
                    "Sent by Vibes in a form these fields' definitions do not accept: kept "
                    "as sent, and left alone when you save."
                ),
            )
        )
    if unknown:
        parts.append(
            format_html(
                '<dl class="unknown-custom-fields">{}</dl><p class="help">{}</p>',
                format_html_join(
                    "",
                    "<dt><code>{}</code></dt><dd>{}</dd>",
                    ((k, _shown(v)) for k, v in sorted(unknown.items())),
                ),
                _(
                    "Sent by Vibes under keys no custom field here defines: kept as sent and "
                    "never sent back. Add a custom field with the key to edit it here."
                ),
            )
        )
    return format_html_join("", "{}", ((p,) for p in parts)) if parts else "—"


def all_values_html(person, definitions: dict[str, CustomField]) -> str:
    """Every stored value, labelled by its definition where there is one (read-only view)."""
    values = (person.custom_fields if person else None) or {}
    if not values:
        return "—"
    # Defined fields in their order, then the others by key (PostgreSQL's jsonb keeps no
    # order of its own).
    rows = [(f.label, _shown(values[key])) for key, f in definitions.items() if key in values]
    rows += [(key, _shown(values[key])) for key in sorted(set(values) - set(definitions))]
    return format_html(
        '<dl class="custom-field-values">{}</dl>',
        format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
    )
