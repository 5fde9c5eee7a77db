"""Misconfigured registrations surface as system checks (callbacks/checks.py), and the
settings read VIBES_SOURCE_CODES and the parent company key from the environment."""

from callbacks.checks import check_callback_registrations
from tests.config.test_config import run_manage
from tests.config.test_safe_defaults import PRODUCTION, settings_under


def _ids(found) -> set[str]:
    return {message.id for message in found}


def test_a_malformed_source_code_is_an_error_naming_it(settings):
    settings.VIBES_SOURCE_CODES = ["52623:1", "52623-1"]
    [error] = check_callback_registrations(None)
    assert error.id == "callbacks.E002"
    assert "'52623-1' is not code:country_code" in error.msg


def test_no_source_code_is_a_warning_outside_debug_only(settings):
    settings.VIBES_SOURCE_CODES = []
    settings.DEBUG = True
    assert check_callback_registrations(None) == []
    settings.DEBUG = False
    assert _ids(check_callback_registrations(None)) == {"callbacks.W003"}
    settings.VIBES_SOURCE_CODES = ["52623:1"]
    assert check_callback_registrations(None) == []


def test_a_limit_below_one_is_an_error(settings):
    settings.VIBES_SOURCE_CODES = ["52623:1"]
    settings.VIBES_CALLBACK_LIMIT = 0
    assert _ids(check_callback_registrations(None)) == {"callbacks.E003"}


def test_the_settings_read_codes_parent_key_and_limit_from_the_environment():
    read = settings_under(
        {**PRODUCTION, "VIBES_SOURCE_CODES": "52623:1,18005551234:1", "VIBES_CALLBACK_LIMIT": "40"}
    )
    assert read["VIBES_SOURCE_CODES"] == ["52623:1", "18005551234:1"]
    assert read["VIBES_PARENT_COMPANY_KEY"] == "ck"  # the company key unless told otherwise
    assert read["VIBES_CALLBACK_LIMIT"] == 40
    parent = settings_under({**PRODUCTION, "VIBES_PARENT_COMPANY_KEY": "parent-ck"})
    assert parent["VIBES_PARENT_COMPANY_KEY"] == "parent-ck"
    assert parent["VIBES_CALLBACK_LIMIT"] == 50


def test_production_without_source_codes_is_warned_at_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "VIBES_SOURCE_CODES"}
    assert "callbacks.W003" in run_manage("check", **env).stderr
