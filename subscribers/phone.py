"""Phone numbers: strict for what people type, lenient for what Vibes sends.

Numbers are stored in E.164. A number typed by a person must be a valid mobile number;
a number that comes from Vibes is authoritative and is kept even when the numbering plan
says it cannot exist (Vibes' own examples use the unassigned 299 area code).
"""

import functools

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

INVALID_MOBILE_MESSAGE = _(
    "Enter a valid mobile phone number, for example (415) 555-0132 or +44 7911 123456."
)


def normalize_typed(value: str, *, region: str | None = None) -> str:
    """Return ``value`` in E.164, or raise ``ValidationError`` with a message for people."""
    region = region or settings.PHONE_DEFAULT_REGION
    try:
        number = phonenumbers.parse(str(value).strip(), region)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_MOBILE_MESSAGE, code="invalid_mobile") from None
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise ValidationError(INVALID_MOBILE_MESSAGE, code="invalid_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_from_vibes(value: str | None) -> str:
    """Return a number Vibes sent in E.164 when it can be read as one, else as sent.

    Never raises: Vibes is the database of record for the numbers it sends.
    """
    if value is None:
        return ""
    raw = str(value).strip()
    if not raw:
        return ""
    return _from_vibes(raw, settings.PHONE_DEFAULT_REGION)


@functools.lru_cache(maxsize=1 << 16)
def _from_vibes(raw: str, region: str) -> str:
    # Cached: a batch reads each number several times (the event, the person, the
    # suppression list), and parsing is most of what a batch spends in Python per row.
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_for_search(value: str) -> str | None:
    """Best-effort E.164 form of something staff typed into a search box, or None."""
    try:
        number = phonenumbers.parse(str(value).strip(), settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(number: str) -> str:
    """The digits of ``number`` without its country code ("+14155550170" → "4155550170"),
    the part every form of it shares (national, formatted, digits only); for a number that
    does not parse, its digits as they are."""
    try:
        parsed = phonenumbers.parse(str(number), settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in str(number) if ch.isdigit())
    return phonenumbers.national_significant_number(parsed)


def _e164_country_code(digits: str) -> int | None:
    """The country code of a clean E.164 number, read as ``phonenumbers.parse`` does
    (country codes are prefix-free) without a full parse: ``mask`` runs for every row of
    an admin list. None when the number is not plain ``+`` and 8 to 15 digits."""
    plain = digits[:1] == "+" and 9 <= len(digits) <= 16 and digits[1:].isdigit()
    if not plain or digits[1] == "0":
        return None
    for length in (1, 2, 3):
        code = int(digits[1 : 1 + length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code
    return None


def mask(number: str | None, *, unbroken: bool = False) -> str:
    """A number shortened so it is recognisable to its owner but not disclosed.

    ``+12995551234`` becomes ``+1 ••• ••• 1234``; used in logs, pages and admin lists.
    ``unbroken`` joins the groups with no-break spaces, for pages and narrow columns.
    """
    if not number:
        return ""
    digits = str(number)
    if len(digits) <= 4:
        return "•" * len(digits)
    code = _e164_country_code(digits)
    if code is not None:
        shown = f"+{code} ••• ••• {digits[-4:]}"
    else:
        try:
            parsed = phonenumbers.parse(digits, None if digits.startswith("+") else "US")
            prefix = f"+{parsed.country_code} "
        except phonenumbers.NumberParseException:
            prefix = ""
        shown = f"{prefix}••• ••• {digits[-4:]}"
    return shown.replace(" ", "\u00a0") if unbroken else shown


def readable(number: str | None) -> str:
    """The whole number grouped for reading (``+1 299-555-1234``), on one line; for staff
    allowed to see full numbers (the ``subscribers.view_full_number`` permission)."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(str(number), None)
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        shown = str(number)
    return shown.replace(" ", "\u00a0")
