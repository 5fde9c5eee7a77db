"""Link previews and scanners fetch every link they see: GET must never change anything."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from subscribers import services
from subscribers.models import Source
from subscribers.preferences import links
from tests.subscribers.preferences.prefs_helpers import make_world, snapshot

pytestmark = pytest.mark.django_db


class Targets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "action", "src"):
            if attrs.get(name):
                self.urls.append(attrs[name])


def crawl(client, start: list[str]) -> dict[str, int]:
    seen, queue = {}, list(start)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url, HTTP_USER_AGENT="Slackbot-LinkExpanding 1.0")
        client.head(url)
        seen[url] = response.status_code
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Targets()
        parser.feed(response.content.decode())
        for target in parser.urls:
            absolute = urljoin(url, target)
            parts = urlsplit(absolute)
            if parts.netloc in ("", "testserver") and not parts.fragment:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_getting_every_page_and_link_changes_nothing(client):
    world = make_world()
    services.subscription_request(
        person=world.person, subscription_list=world.events, source=Source.PREFERENCE_PAGE
    )
    services.person_request_number(
        person=world.person, mdn="+14155550199", source=Source.PREFERENCE_PAGE
    )
    url = links.preference_path(world.person)
    before = snapshot()
    seen = crawl(
        client,
        [url, "/preferences/new-link/", "/preferences/expired-or-not-a-token/"],
    )
    assert snapshot() == before
    token_pages = {u for u in seen if u.startswith(url)}
    assert {
        url,
        f"{url}lists/",
        f"{url}details/",
        f"{url}number/",
        f"{url}stop/",
    } <= token_pages
    assert seen[url] == seen[f"{url}stop/"] == 200
    assert seen[f"{url}lists/"] == seen[f"{url}details/"] == seen[f"{url}number/"] == 405
    assert seen["/preferences/new-link/"] == 200
    assert seen["/preferences/expired-or-not-a-token/"] == 404
    # The crawl also opened every page in Spanish without a change.
    client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert snapshot() == before
