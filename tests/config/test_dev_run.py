"""`make run` stays readable: no line per request from the development server, and the
"text me a new link" flow can be finished there (the link is printed in the console)."""

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from subscribers import services
from subscribers.models import Source
from subscribers.preferences import link_requests

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = "subscribers.preferences.link_requests.console_sender"


def test_the_dev_servers_request_lines_are_off_unless_asked_for_but_errors_still_show():
    server = logging.getLogger("django.server")
    assert not server.isEnabledFor(logging.INFO)  # "GET /admin/ HTTP/1.1" 200
    assert server.isEnabledFor(logging.WARNING)  # 4xx
    assert server.isEnabledFor(logging.ERROR)  # 5xx


def test_make_run_texts_new_links_and_codes_through_the_simulator_which_prints_them():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export VIBES_EVENT_TYPE_PREFERENCE_LINK ?= prefs_preference_link" in makefile
    assert "run: export VIBES_EVENT_TYPE_NUMBER_CODE ?= prefs_number_code" in makefile


@pytest.mark.django_db
def test_a_new_link_request_prints_a_link_that_opens_the_persons_page(client, settings, capsys):
    settings.DEBUG = True
    settings.PREFERENCE_LINK_SENDER = CONSOLE
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0
    cache.clear()
    services.person_create(source=Source.ADMIN, mdn="+14155550132")

    response = client.post("/preferences/new-link/", {"mdn": "(415) 555-0132"})

    assert response.status_code == 302
    printed = capsys.readouterr().out
    url = re.search(r"https?://\S+/preferences/\S+/", printed).group(0)
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Your text message preferences" in page.content.decode()


@pytest.mark.django_db
def test_the_console_link_sender_refuses_outside_development(settings):
    settings.DEBUG = False
    person = services.person_create(source=Source.ADMIN, mdn="+14155550132")
    with pytest.raises(RuntimeError, match="only for development"):
        link_requests.console_sender(person=person, url="https://example.test/preferences/x/")
