"""Safe by default (config/settings/): nothing runs with DEBUG on or a development key
unless told so, and a production configuration works behind a TLS-terminating proxy.

Start-up is tested in a fresh process (settings are read once per process); what the
settings do to requests is tested by reading config/settings/ under a given environment
and serving the real admin and pages with the values it computes.
"""

import importlib
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from subscribers.models import Person
from tests.subscribers.admin.admin_helpers import PASSWORD

from .test_config import ROOT, run_manage

KEY = "x" * 20 + "Kq8#p!Zr2@vW9$mN5&tY7^bL3*cF6(hJ"
PRODUCTION = {
    "SECRET_KEY": KEY,
    "SUPPRESSION_KEY": "a-suppression-key-of-its-own-" + "s" * 24,
    "ALLOWED_HOSTS": "prefs.example.com",
    "SITE_URL": "https://prefs.example.com",
    "CALLBACK_TOKENS": "a-long-random-callback-token-123456",
    "VIBES_COMPANY_KEY": "ck",
    "VIBES_USERNAME": "api@example.com",
    "VIBES_PASSWORD": "pw",
    "VIBES_SOURCE_CODES": "52623:1",
    "NUMBER_CODE_SENDER": "tests.texts.record_code",
    "COMPANY_NAME": "Acme Outfitters",
    "VIBES_EVENT_TYPE_NUMBER_CODE": "prefs_number_code",
    "VIBES_EVENT_TYPE_PREFERENCE_LINK": "prefs_preference_link",
}
BEHIND_PROXY = {
    **PRODUCTION,
    "HTTPS_ONLY": "0",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}
# What the proxy's configuration changes; the rest of the test settings stay.
PROXY_KEYS = (
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SITE_URL",
)


def settings_under(env: dict) -> dict:
    """The values config/settings/ computes with exactly ``env`` (plus PATH), read afresh
    and then put back, so the settings this process runs with are untouched."""
    saved = dict(os.environ)
    loaded = {name: mod for name, mod in sys.modules.items() if name.startswith("config.settings")}
    os.environ.clear()
    os.environ.update({"PATH": saved.get("PATH", ""), **env})
    try:
        for name in loaded:
            del sys.modules[name]
        return vars(importlib.import_module("config.settings")).copy()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for name in [n for n in sys.modules if n.startswith("config.settings")]:
            del sys.modules[name]
        sys.modules.update(loaded)


def python(code: str, **env) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- start-up ------------------------------------------------------------------------


def test_with_nothing_set_the_wsgi_entry_point_refuses_to_start():
    result = python("import config.wsgi")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_with_a_key_and_debug_unset_debug_is_off_and_the_simulator_not_installed():
    result = python(
        "import config.asgi; from django.conf import settings; "
        "print(settings.DEBUG, 'simulator' in settings.INSTALLED_APPS)",
        SECRET_KEY=KEY,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_public_development_key_is_refused_outside_debug():
    dev_key = settings_under({"DEBUG": "1"})["SECRET_KEY"]
    result = run_manage("check", DEBUG="0", SECRET_KEY=dev_key)
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_debug_said_explicitly_runs_with_the_development_key():
    values = settings_under({"DEBUG": "1"})
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"]
    assert "simulator" in values["INSTALLED_APPS"]


# --- behind a TLS-terminating proxy ----------------------------------------------------


def test_behind_a_proxy_the_forwarded_proto_and_site_origin_are_trusted():
    values = settings_under(BEHIND_PROXY)
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://prefs.example.com"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert not values["SECURE_SSL_REDIRECT"]


def test_trusted_origins_can_be_listed():
    values = settings_under(
        {**BEHIND_PROXY, "CSRF_TRUSTED_ORIGINS": "https://a.example.com,https://b.example.com"}
    )
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.com", "https://b.example.com"]


def test_without_a_proxy_header_setting_x_forwarded_proto_is_not_trusted():
    values = settings_under({**PRODUCTION, "HTTPS_ONLY": "0"})
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    https_only = settings_under(PRODUCTION)  # HTTPS_ONLY on by default: still not trusted
    assert https_only["SECURE_SSL_REDIRECT"] and https_only["SECURE_PROXY_SSL_HEADER"] is None


@pytest.fixture
def behind_proxy(settings):
    values = settings_under(BEHIND_PROXY)
    settings.ALLOWED_HOSTS = ["prefs.example.com"]
    with override_settings(**{key: values[key] for key in PROXY_KEYS}):
        yield values


@pytest.mark.django_db
def test_the_admin_login_works_behind_a_tls_proxy(behind_proxy, admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    client = Client(enforce_csrf_checks=True)
    proxied = {"HTTP_HOST": "prefs.example.com", "HTTP_X_FORWARDED_PROTO": "https"}
    login = client.get("/admin/login/", **proxied)
    assert login.status_code == 200
    assert login.cookies["csrftoken"]["secure"]
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": admin_user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        HTTP_ORIGIN="https://prefs.example.com",
        HTTP_REFERER="https://prefs.example.com/admin/login/",
        **proxied,
    )
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == "/admin/"
    assert response.cookies["sessionid"]["secure"]


@pytest.mark.django_db
def test_links_shown_behind_a_proxy_use_the_site_urls_scheme(behind_proxy, admin_client):
    """A proxy that sends no X-Forwarded-Proto still gets https links (SITE_URL's)."""
    person = Person.objects.create(mdn="+14155550132")
    response = admin_client.get(
        f"/admin/subscribers/person/{person.pk}/preference-link/",
        HTTP_HOST="prefs.example.com",
    )
    body = response.content.decode()
    assert "https://prefs.example.com/preferences/" in body
    assert "http://prefs.example.com/" not in body


# --- system checks --------------------------------------------------------------------


@pytest.mark.parametrize("env", [PRODUCTION, BEHIND_PROXY], ids=["https-only", "behind-proxy"])
def test_deploy_check_is_clean_with_production_like_settings(env):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_a_site_url_that_is_not_https_is_a_warning_outside_debug():
    result = run_manage("check", **{**PRODUCTION, "SITE_URL": "http://prefs.example.com"})
    assert "subscribers.W005" in result.stderr
    debug = run_manage("check", DEBUG="1", SITE_URL="http://127.0.0.1:8000")
    assert "subscribers.W005" not in debug.stderr


def test_a_number_code_sender_that_only_logs_is_a_warning_outside_debug():
    result = run_manage(
        "check", **{**PRODUCTION, "NUMBER_CODE_SENDER": "subscribers.services.proofs.log_sender"}
    )
    assert "subscribers.W006" in result.stderr
    assert "subscribers.W006" not in run_manage("check", **PRODUCTION).stderr


def test_make_runs_file_is_read_only_by_a_command_that_asks_for_it(tmp_path):
    dev_env = tmp_path / "dev.env"
    dev_env.write_text("DEBUG=1\nSITE_URL=http://127.0.0.1:8400\n")
    show = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
    )
    second = run_manage(*show, DEV_ENV_FILE=str(dev_env), DEV_ENV="1")
    assert second.stdout.strip() == "http://127.0.0.1:8400", second.stderr
    # A start with nothing configured does not run in DEBUG because the file is there.
    bare = run_manage(*show, DEV_ENV_FILE=str(dev_env))
    assert bare.returncode != 0 and "SECRET_KEY must be set" in bare.stderr
    # make run's own processes take what make exports: an older run's file never leaks in.
    writer = run_manage(*show, DEV_ENV_FILE=str(dev_env), DEBUG="1")
    assert writer.stdout.strip() == "http://127.0.0.1:8000", writer.stderr
    # A deployment, which sets its SECRET_KEY, never reads it either.
    deployed = run_manage(*show, DEV_ENV_FILE=str(dev_env), **PRODUCTION)
    assert deployed.stdout.strip() == "https://prefs.example.com", deployed.stderr


def test_texts_of_our_own_go_through_the_event_api_once_their_event_types_are_set():
    unset = {k: v for k, v in PRODUCTION.items() if not k.startswith(("VIBES_EVENT", "NUMBER"))}
    assert settings_under(unset)["NUMBER_CODE_SENDER"] == "subscribers.services.proofs.log_sender"
    chosen = settings_under({**unset, "VIBES_EVENT_TYPE_NUMBER_CODE": "prefs_number_code"})
    assert chosen["NUMBER_CODE_SENDER"] == "subscribers.outbox.texts.number_code_sender"
    assert chosen["PREFERENCE_LINK_SENDER"].endswith("link_requests.log_sender")
    result = run_manage("check", **unset)
    assert "subscribers.W020" in result.stderr and "VIBES_EVENT_TYPE_NUMBER_CODE" in result.stderr
    assert "subscribers.W020" not in run_manage("check", DEBUG="1").stderr
    assert "subscribers.W020" not in run_manage("check", **PRODUCTION).stderr


def test_an_event_type_vibes_would_refuse_is_an_error():
    result = run_manage("check", **{**PRODUCTION, "VIBES_EVENT_TYPE_NUMBER_CODE": "prefs code"})
    assert result.returncode != 0 and "subscribers.E020" in result.stderr


def test_a_missing_suppression_key_is_an_error_outside_debug_and_fine_in_debug():
    without = {k: v for k, v in PRODUCTION.items() if k != "SUPPRESSION_KEY"}
    result = run_manage("check", **without)
    assert result.returncode != 0
    assert "subscribers.E007" in result.stderr
    assert "subscribers.E007" not in run_manage("check", **PRODUCTION).stderr
    assert "subscribers.E007" not in run_manage("check", DEBUG="1").stderr


def test_the_suppression_key_is_not_derived_from_the_secret_key():
    """Rotating SECRET_KEY must leave every erased number recognised: the key the numbers
    are hashed with is the same whatever the secret, in development and in production."""
    debug = [settings_under({"DEBUG": "1", "SECRET_KEY": k}) for k in ("first" * 9, "second" * 9)]
    assert debug[0]["SUPPRESSION_KEY"] == debug[1]["SUPPRESSION_KEY"] != ""
    production = [settings_under({**PRODUCTION, "SECRET_KEY": k * 50}) for k in "ab"]
    assert production[0]["SUPPRESSION_KEY"] == production[1]["SUPPRESSION_KEY"]
    assert production[0]["SUPPRESSION_KEY"] == PRODUCTION["SUPPRESSION_KEY"]
    without = {k: v for k, v in PRODUCTION.items() if k != "SUPPRESSION_KEY"}
    assert settings_under(without)["SUPPRESSION_KEY"] == ""
    rotated = settings_under({**PRODUCTION, "SUPPRESSION_KEYS_PREVIOUS": "old-one,older-one"})
    assert rotated["SUPPRESSION_KEYS_PREVIOUS"] == ["old-one", "older-one"]
