import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL"}
        },
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_missing_callback_tokens_and_vibes_credentials_show_as_system_checks():
    result = run_manage("check", DEBUG="1", CALLBACK_TOKENS="", VIBES_USERNAME="")
    assert "callbacks.W001" in result.stderr
    assert "subscribers.W003" in result.stderr


@pytest.mark.parametrize("https_only", ["1", "0"])
def test_deploy_check_is_clean_for_production_settings(https_only):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "Kq8#p!Zr2@vW9$mN5&tY7^bL3*cF6(hJ",
        SUPPRESSION_KEY="a-suppression-key-of-its-own-" + "s" * 24,
        ALLOWED_HOSTS="prefs.example.com",
        SITE_URL="https://prefs.example.com",
        HTTPS_ONLY=https_only,
        CALLBACK_TOKENS="a-long-random-callback-token-123456",
        VIBES_COMPANY_KEY="ck",
        VIBES_USERNAME="api@example.com",
        VIBES_PASSWORD="pw",
        VIBES_SOURCE_CODES="52623:1",
        NUMBER_CODE_SENDER="tests.texts.record_code",
        COMPANY_NAME="Acme Outfitters",
        VIBES_EVENT_TYPE_NUMBER_CODE="prefs_number_code",
        VIBES_EVENT_TYPE_PREFERENCE_LINK="prefs_preference_link",
    )
    assert result.returncode == 0, result.stderr
