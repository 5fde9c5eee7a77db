"""The person form of the admin: details, and custom fields as typed inputs.

Each ``CustomField`` definition becomes a form field of its type (text, date, select,
checkboxes), built and checked by subscribers/custom_values.py like the preference page's.
Stored keys no definition names (most often sent by Vibes) are not inputs: the admin shows
them read-only (``unknown_values_html``), the save leaves them as they are, and the person
push never sends them (subscribers/outbox/kinds/person.py).
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


def field_names(definitions: dict[str, CustomField]) -> list[str]:
    return [PREFIX + key for key in definitions]


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def unknown_values_html(person, definitions: dict[str, CustomField]) -> str:
    """The stored values no definition names, key and value, or "—"."""
    stored = person.custom_fields if person else {}
    unknown = custom_values.unknown_values(stored, fields=definitions)
    if not unknown:
        return "—"
    return format_html(
        '<dl class="unknown-custom-fields">{}</dl><p class="help">{}</p>',
        format_html_join(
            "",
            "<dt><code>{}</code></dt><dd>{}</dd>",
            ((k, _shown(v)) for k, v in sorted(unknown.items())),
        ),
        _(
            "Sent by Vibes under keys no custom field here defines: kept as sent and never "
            "sent back. Add a custom field with the key to edit it here."
        ),
    )


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
