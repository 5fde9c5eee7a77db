"""Texts staff enter in two languages (list names and descriptions, custom field labels
and option labels): the one for the language of the page, else the default one.

Each translated text sits next to its default as ``<field>_<language>`` (``name_es``), and
an option of a select field as ``{"label": …, "label_es": …}``; an empty translation falls
back to the default, so a list staff have not translated yet still shows its name.
"""

from django.conf import settings
from django.utils.translation import get_language


def _suffix() -> str:
    """``_es`` on a Spanish page, "" on a page in the default language."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    default = settings.LANGUAGE_CODE.split("-")[0]
    return "" if language == default else f"_{language}"


def in_language(obj, field: str) -> str:
    suffix = _suffix()
    translated = getattr(obj, f"{field}{suffix}", "") if suffix else ""
    return translated or getattr(obj, field)


def option_label(option: dict) -> str:
    suffix = _suffix()
    translated = option.get(f"label{suffix}") if suffix else ""
    return str(translated or option.get("label") or option["key"])
