"""A form sent with mistakes opens with a summary at the top, linked to each field in error,
that takes the focus: on a phone the fields are far down the page."""

import re

import pytest

from subscribers.preferences import links
from tests.subscribers.preferences.prefs_helpers import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def url():
    return links.preference_path(make_world().person)


def summary(html: str) -> str:
    match = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert match, "no error summary"
    return match.group(0)


def test_a_fresh_page_has_no_error_summary(client, url):
    assert 'class="error-summary"' not in client.get(url).content.decode()


def test_details_in_error_are_summed_up_first_each_linked_to_its_field(client, url):
    response = client.post(
        f"{url}details/",
        {"d-first_name": "x" * 201, "d-birthday": "05/04/1990x", "d-favorite_store": "downtown"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    box = summary(html)
    assert html.index('class="error-summary"') < html.index("<h1")
    assert 'tabindex="-1"' in box and "autofocus" in box
    assert "There is a problem" in box
    assert re.search(r'<a href="#id_d-first_name">First name: [^<]*200 characters', box)
    assert '<a href="#id_d-birthday">Birthday: Enter a valid date.</a>' in box
    assert 'id="id_d-first_name"' in html and 'id="id_d-birthday"' in html  # the targets


def test_a_new_number_in_error_is_summed_up_first(client, url):
    html = client.post(f"{url}number/", {"n-mdn": "555-12"}).content.decode()
    box = summary(html)
    assert '<a href="#id_n-mdn">New mobile number: ' in box


def test_asking_for_a_new_link_with_a_bad_number_is_summed_up_first(client):
    response = client.post("/preferences/new-link/", {"mdn": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.index('class="error-summary"') < html.index("<h1")
    assert '<a href="#id_mdn">Your mobile number: ' in summary(html)


def test_the_summary_speaks_spanish(client, url):
    html = client.post(
        f"{url}number/", {"n-mdn": "555-12"}, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"
    ).content.decode()
    box = summary(html)
    assert "Hay un problema" in box
    assert '<a href="#id_n-mdn">' in box
    assert "<title>Error: " in html
