"""Staff telling people apart: whole numbers for those allowed to see them, search by any
digits of a number and by part of a name, on indexes at scale."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from subscribers.admin.filters import person_search
from subscribers.models import Person
from tests.browser import DESKTOP, PHONE, axe_check, axe_findings, open_page
from tests.screens import document

from .admin_helpers import log_in_as_superuser, person_with_story

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscribers/person/"


def found(response) -> set[int]:
    return {p.pk for p in response.context["cl"].result_list}


@pytest.fixture
def twins(lists):
    """Two people whose numbers end in the same four digits."""
    ana = person_with_story(lists, n=108, first="Ana", last="Garcia")
    ben = person_with_story(lists, n=9, first="Benito", last="Okafor")
    Person.objects.filter(pk=ben.pk).update_unpushed(mdn="+12125550108")
    return ana, ben


def test_numbers_stay_masked_for_staff_without_the_permission(marketing_client, twins):
    html = marketing_client.get(CHANGELIST).content.decode()
    assert html.count(">+1\u00a0•••\u00a0•••\u00a00108</a>") == 2
    assert "555-0108" not in html and "+14155550108" not in html


def test_staff_allowed_to_see_full_numbers_can_tell_two_people_apart(
    marketing_client, marketing_user, twins
):
    marketing_user.user_permissions.add(Permission.objects.get(codename="view_full_number"))
    html = marketing_client.get(CHANGELIST).content.decode()
    assert ">+1\u00a0415-555-0108</a>" in html
    assert ">+1\u00a0212-555-0108</a>" in html
    assert "\u00a00108</a>" not in html.replace("555-0108</a>", "")


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("0108", {"ana", "ben"}),  # the last four digits
        ("555-0108", {"ana", "ben"}),
        ("212", {"ben"}),  # an area code
        ("(415) 555", {"ana"}),
        ("gar", {"ana"}),  # part of a last name
        ("BENI", {"ben"}),  # part of a first name, any case
        ("ana garc", {"ana"}),  # parts of both
        ("ana oka", set()),  # each word must match
        ("01", set()),  # too short to mean anything
        ("ga", set()),
    ],
)
def test_search_finds_any_digits_of_a_number_and_part_of_a_name(
    marketing_client, twins, typed, who
):
    ana, ben = twins
    expected = {{"ana": ana.pk, "ben": ben.pk}[w] for w in who}
    assert found(marketing_client.get(CHANGELIST, {"q": typed})) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("typed", ["0108", "garc"])
def test_searching_a_part_uses_the_trigram_indexes(twins, typed):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = person_search(Person.objects.all(), typed).explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "trgm_idx" in plan, plan


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_searching_the_last_four_digits_in_a_browser(live_server, browser, twins, width):
    with open_page(browser, PHONE if width == "phone" else DESKTOP) as page:
        log_in_as_superuser(page, live_server.url)  # a superuser has view_full_number
        page.goto(f"{live_server.url}{CHANGELIST}")
        page.locator("#searchbar").fill("0108")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "q=0108" in url)
        numbers = page.locator("#result_list th.field-number").all_inner_texts()
        assert sorted(numbers) == ["+1\u00a0212-555-0108", "+1\u00a0415-555-0108"]
        document(page, f"admin-person-search-last-four-{width}")
        axe_check({"search": axe_findings(page)})
