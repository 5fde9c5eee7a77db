import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from subscribers import phone


@pytest.mark.parametrize(
    "typed",
    ["(415) 555-0132", "415.555.0132", "+1 415 555 0132", "14155550132", " 415 555 0132 "],
)
def test_typed_us_mobile_numbers_are_stored_in_e164(typed):
    assert phone.normalize_typed(typed) == "+14155550132"


def test_typed_foreign_mobile_number_keeps_its_country():
    assert phone.normalize_typed("+44 7911 123456") == "+447911123456"


@pytest.mark.parametrize("typed", ["", "hello", "555", "+1 299 555 1234", "+44 20 7946 0958"])
def test_typed_number_that_is_not_a_valid_mobile_is_refused_with_a_readable_message(typed):
    with pytest.raises(ValidationError) as exc:
        phone.normalize_typed(typed)
    assert "valid mobile phone number" in str(exc.value.messages[0])


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("+12995551234", "+12995551234"),  # Vibes' examples use the unassigned 299 area code: kept
        ("2995551234", "+12995551234"),
        ("not-a-number", "not-a-number"),
        ("", ""),
        (None, ""),
    ],
)
def test_numbers_from_vibes_are_never_rejected(sent, stored):
    assert phone.normalize_from_vibes(sent) == stored


@given(st.text(max_size=40))
def test_normalize_from_vibes_never_raises(text):
    assert isinstance(phone.normalize_from_vibes(text), str)


def test_mask_keeps_the_last_four_digits_only():
    assert phone.mask("+12995551234") == "+1 ••• ••• 1234"
    assert "555" not in phone.mask("+12995551234")
    assert phone.mask("") == ""


def _mask_by_full_parse(number: str) -> str:
    """What ``mask`` gave before its E.164 shortcut: the country code from a full parse."""
    try:
        parsed = phonenumbers.parse(number, None if number.startswith("+") else "US")
        prefix = f"+{parsed.country_code} "
    except phonenumbers.NumberParseException:
        prefix = ""
    return f"{prefix}••• ••• {number[-4:]}"


@settings(max_examples=300)
@given(st.from_regex(r"\A\+[0-9]{4,16}\Z"))
def test_mask_shortcut_reads_the_country_code_as_a_full_parse_does(number):
    assert phone.mask(number) == _mask_by_full_parse(number)


def test_mask_of_numbers_in_other_shapes_still_parses_them():
    for number in ("+44 7911 123456", "4155550132", "+0123456789", "+1-299-555-1234"):
        assert phone.mask(number) == _mask_by_full_parse(number)
    assert phone.mask("+447911123456") == "+44 ••• ••• 3456"
    assert phone.mask("+3531234567") == "+353 ••• ••• 4567"
