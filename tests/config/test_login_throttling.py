"""Admin sign-in throttling (django-axes, config/settings/security.py) through gunicorn with
four workers: wrong passwords past the limit lock the user out from that address, the
right password included, whichever worker answers; staff lift the lockout in the admin;
a staff session lasts SESSION_COOKIE_AGE (8 hours by default)."""

import requests

from tests.servers import Served, form_token

from .test_safe_defaults import PRODUCTION, settings_under

USERS = """
from django.contrib.auth import get_user_model
User = get_user_model()
User.objects.create_user("mara", password="right-password-1234", is_staff=True)
User.objects.create_superuser("boss", password="boss-password-1234")
"""
ATTEMPTS = (
    "from axes.models import AccessAttempt; "
    "print(list(AccessAttempt.objects.values_list('pk', flat=True)))"
)


def sign_in(base: str, username: str, password: str) -> tuple[requests.Session, int]:
    session = requests.Session()
    page = session.get(f"{base}/admin/login/", timeout=30)
    token = form_token(page.text)
    answer = session.post(
        f"{base}/admin/login/?next=/admin/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    return session, answer.status_code


def test_fifty_wrong_passwords_then_the_right_one_is_refused_until_staff_lift_it(tmp_path):
    with Served(tmp_path, workers=4) as site:
        site.shell(USERS)
        answers = [sign_in(site.url, "mara", f"guess-{n}")[1] for n in range(50)]
        assert answers[:4] == [200] * 4  # the form again, with its error
        assert set(answers[5:]) == {429}, answers
        _session, status = sign_in(site.url, "mara", "right-password-1234")
        assert status == 429
        # Another staff member (here from the same address) signs in and lifts it.
        boss, status = sign_in(site.url, "boss", "boss-password-1234")
        assert status == 302
        [attempt] = eval(site.shell(ATTEMPTS))  # noqa: S307 - the list our shell printed
        page = boss.get(f"{site.url}/admin/axes/accessattempt/{attempt}/delete/", timeout=30)
        token = form_token(page.text)
        lifted = boss.post(
            f"{site.url}/admin/axes/accessattempt/{attempt}/delete/",
            {"post": "yes", "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=30,
        )
        assert lifted.status_code == 302
        session, status = sign_in(site.url, "mara", "right-password-1234")
        assert status == 302
        signed_in = session.get(f"{site.url}/admin/", allow_redirects=False, timeout=30)
        assert signed_in.status_code == 200


def test_a_staff_session_lasts_eight_hours_unless_configured():
    assert settings_under(PRODUCTION)["SESSION_COOKIE_AGE"] == 8 * 3600
    assert (
        settings_under({**PRODUCTION, "SESSION_COOKIE_AGE": "1800"})["SESSION_COOKIE_AGE"] == 1800
    )
