"""Custom field values checked against their ``CustomField`` definitions, one place for all.

The preference page's details form, the admin's person form, the services and the
extract import all build and check values here, so a value is judged the same wherever
it is written. Values are stored in ``Person.custom_fields`` as Vibes keeps them: a
string for text, ``YYYY-MM-DD`` for a date, an option key for a single select, a list of
option keys for a multi select (docs/vibes.md: Vibes also sends a single select as an
object ``{id, name, option_key, active}``; those are read by their option key).

A key no definition names is *unknown*. Changes made here (admin, preference page,
system) may not write one: Vibes refuses unknown custom fields with a 422, which stops the
person's push. Keys Vibes itself sends are kept as sent, shown to staff read-only, and
never pushed back (subscribers/outbox/kinds/person.py sends defined keys only).
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import CustomField
from .translated import in_language, option_label

TEXT_LIMIT = 200  # characters in a text custom field


class CustomValueError(ValueError):
    """Values that do not fit their definitions: ``errors`` maps each key to why."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {why}" for key, why in self.errors.items()))


def definitions() -> dict[str, CustomField]:
    """Every definition by key, in the order staff set (``position``)."""
    return {f.key: f for f in CustomField.objects.order_by("position", "key")}


def option_key(value) -> str | None:
    """A single-select value as its option key: Vibes sends an object, we store the key."""
    if isinstance(value, dict):
        value = value.get("option_key") or value.get("key")
    return str(value) if value not in (None, "") else None


def choices(field: CustomField) -> list[tuple[str, str]]:
    return [
        (str(o["key"]), option_label(o))
        for o in field.options or []
        if isinstance(o, dict) and o.get("key") not in (None, "")
    ]


def form_field(field: CustomField) -> forms.Field:
    """The typed form field for one definition: a date input, a select, checkboxes or text,
    labelled in the page's language."""
    label = in_language(field, "label")
    if field.field_type == CustomField.Type.DATE:
        return forms.DateField(
            label=label,
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if field.field_type == CustomField.Type.SINGLE_SELECT:
        return forms.ChoiceField(
            label=label, required=False, choices=[("", _("(none)")), *choices(field)]
        )
    if field.field_type == CustomField.Type.MULTI_SELECT:
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=choices(field),
            widget=forms.CheckboxSelectMultiple,
        )
    # Said before typing: the browser stops at the limit without a word otherwise.
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        strip=True,
        help_text=_("Up to %(limit)d characters.") % {"limit": TEXT_LIMIT},
    )


def initial_value(field: CustomField, value):
    """The stored value as the form field expects it."""
    if field.field_type == CustomField.Type.SINGLE_SELECT:
        return option_key(value) or ""
    if field.field_type == CustomField.Type.MULTI_SELECT:
        items = value if isinstance(value, list) else ([value] if value else [])
        return [k for k in (option_key(v) for v in items) if k]
    if field.field_type == CustomField.Type.DATE:
        return str(value)[:10] if value else ""
    return str(value) if value is not None else ""


def changed_values(fields: dict[str, CustomField], cleaned: dict, initial: dict) -> dict:
    """What a form's answers change, keyed by definition key, in the stored shape (an
    emptied answer is ``None``: the services remove the key). ``cleaned`` and ``initial``
    are keyed like ``fields``."""
    out = {}
    for key, field in fields.items():
        value = cleaned.get(key)
        if field.field_type == CustomField.Type.DATE:
            value = value.isoformat() if value else ""
        before = initial.get(key)
        if _same_answer(field, value, before):
            continue
        out[key] = value if value else None
    return out


def _same_answer(field: CustomField, value, before) -> bool:
    """Whether a form sends back the value it was given, in its own form: checkboxes in
    the options' order, text without the spaces around it (Vibes may store either)."""
    if not value and not before:
        return True
    if field.field_type == CustomField.Type.MULTI_SELECT:
        return set(value or []) == set(before or [])
    if field.field_type == CustomField.Type.TEXT and isinstance(before, str):
        return value == before.strip()
    return value == before


def clean_value(field: CustomField, value):
    """``value`` in the stored shape, or ValidationError saying why it does not fit.
    ``None`` or an empty string means "remove" and is always allowed."""
    if value is None or value == "" or value == []:
        return None
    kind = field.field_type
    if kind == CustomField.Type.TEXT:
        if not isinstance(value, str):
            raise ValidationError(gettext("must be text"))
        value = value.strip()
        if len(value) > TEXT_LIMIT:
            raise ValidationError(
                gettext("at most %(limit)d characters, not %(n)d")
                % {"limit": TEXT_LIMIT, "n": len(value)}
            )
        return value or None
    if kind == CustomField.Type.DATE:
        if isinstance(value, date):
            return value.isoformat()[:10]
        try:
            return date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise ValidationError(
                gettext("must be a date as YYYY-MM-DD, not %(value)r") % {"value": str(value)[:40]}
            ) from None
    allowed = [key for key, _label in choices(field)]
    if kind == CustomField.Type.SINGLE_SELECT:
        key = option_key(value)
        if key not in allowed:
            raise ValidationError(_not_an_option(key, allowed))
        return key
    items = value if isinstance(value, list) else [value]
    keys = [option_key(v) for v in items]
    wrong = [k for k in keys if k not in allowed]
    if wrong:
        raise ValidationError(_not_an_option(wrong[0], allowed))
    return list(dict.fromkeys(k for k in keys if k)) or None


def misfit(field: CustomField, value) -> str | None:
    """Why a stored value does not fit its definition (so a typed input cannot hold it:
    an option the list lacks, a date in another format, a number for a text), or None."""
    try:
        clean_value(field, value)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _not_an_option(key, allowed: list[str]) -> str:
    return gettext("%(value)r is not one of its options (%(options)s)") % {
        "value": str(key)[:40],
        "options": ", ".join(allowed) or gettext("none defined"),
    }


def local_values_clean(values, *, fields: dict[str, CustomField] | None = None) -> dict:
    """Custom field changes made here (admin, preference page, system), checked against
    their definitions: every key must be defined and every value fit. Returns them in the
    stored shape (``None`` removes a key); raises CustomValueError naming each bad key."""
    if not isinstance(values, dict):
        raise CustomValueError({"custom_fields": gettext("must be an object of key: value")})
    fields = definitions() if fields is None else fields
    out, errors = {}, {}
    for key, value in values.items():
        field = fields.get(key)
        if field is None:
            if value is not None:
                errors[key] = gettext(
                    "no custom field has this key here; Vibes refuses unknown custom fields"
                )
            else:
                out[key] = None  # removing a key nobody defines sends nothing to Vibes
            continue
        try:
            out[key] = clean_value(field, value)
        except ValidationError as exc:
            errors[key] = " ".join(exc.messages)
    if errors:
        raise CustomValueError(errors)
    return out


def vibes_values_clean(values: dict, *, fields: dict[str, CustomField] | None = None) -> dict:
    """Custom field values read from a Vibes file (the extract): defined keys must fit
    their definitions (raises CustomValueError), unknown keys are kept as sent. Empty
    values are left out: a blank cell says nothing about the value."""
    fields = definitions() if fields is None else fields
    out, errors = {}, {}
    for key, value in values.items():
        if value in (None, ""):
            continue
        field = fields.get(key)
        if field is None:
            out[key] = value
            continue
        try:
            out[key] = clean_value(field, value)
        except ValidationError as exc:
            errors[key] = " ".join(exc.messages)
    if errors:
        raise CustomValueError(errors)
    return out


def pushable(values: dict, *, fields: dict[str, CustomField] | None = None) -> dict:
    """The values Vibes accepts from us: defined keys only (an unknown key is a 422), less
    those Vibes refused as unknown until staff say it knows them now (``refused_at``)."""
    fields = definitions() if fields is None else fields
    return {
        key: value for key, value in values.items() if key in fields and not fields[key].refused_at
    }


def unknown_values(values, *, fields: dict[str, CustomField] | None = None) -> dict:
    """The stored values no definition names (most often from Vibes), shown read-only."""
    fields = definitions() if fields is None else fields
    values = values if isinstance(values, dict) else {}
    return {key: value for key, value in values.items() if key not in fields}


def extract_values(row: dict, *, fields: dict[str, CustomField] | None = None) -> dict:
    """The custom field values of one Subscription Extract row: its columns named by a
    definition's key, checked as ``vibes_values_clean`` does (raises CustomValueError).
    Other columns are the extract's own (docs/vibes.md), not custom fields."""
    fields = definitions() if fields is None else fields
    return vibes_values_clean({k: v for k, v in row.items() if k in fields}, fields=fields)
