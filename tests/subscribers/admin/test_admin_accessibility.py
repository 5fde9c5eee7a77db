"""The admin pages staff use, checked with axe-core at phone and desktop widths, and the
person page's buttons kept clear of the person's name.

Screenshots of every page go to tests/artifacts/ (a11y-admin-<page>-<width>.png).
"""

import json

import pytest
from django.contrib.auth import get_user_model

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import Source
from subscribers.preferences.evidence import Evidence
from tests.browser import ARTIFACTS, PHONE, axe_check, axe_findings, open_page, screenshot

from .admin_helpers import PASSWORD, person_with_story

pytestmark = pytest.mark.browser

WIDTHS = {
    "390": PHONE,
    "1280": {"viewport": {"width": 1280, "height": 900}},
}

#: Moderate findings that stay, each explained in the README ("Accessibility").
ACCEPTED_MODERATE: set[str] = set()

LONG_NAME = ("Maria Fernanda", "Rodriguez-Villanueva de la Cruz")


@pytest.fixture
def story(lists):
    """Demo-like data: a person with subscriptions and history (web join, Vibes confirm,
    STOP, a staff opt-out with evidence), the lists, and the callbacks behind them."""
    superuser = get_user_model().objects.create_superuser("sam", "sam@example.com", PASSWORD)
    person = person_with_story(lists, n=1, first=LONG_NAME[0], last=LONG_NAME[1])
    services.subscription_activate(person=person, subscription_list=lists[2], source=Source.ADMIN)
    services.subscription_cancel(
        person=person,
        subscription_list=lists[1],
        source=Source.ADMIN,
        staff_user=superuser,
        opt_out_reason="user_request",
        note="Asked at the Riverside store.",
        evidence=Evidence(ip_address="198.51.100.7", user_agent="Firefox/128.0"),
    )
    for n in range(2, 6):
        person_with_story(lists, n=n, first=f"Person{n}", last="Example")
    return {
        "person": person,
        "list": lists[0],
        "callback": CallbackEvent.objects.filter(person=person).order_by("id").first(),
    }


def admin_pages(story) -> dict[str, str]:
    person, sub_list, callback = story["person"], story["list"], story["callback"]
    return {
        "index": "/admin/",
        "persons": "/admin/subscribers/person/",
        "persons-filtered": f"/admin/subscribers/person/?list={sub_list.pk}&status=opted_out",
        "person": f"/admin/subscribers/person/{person.pk}/change/",
        "opt-out": f"/admin/subscribers/person/{person.pk}/opt-out/",
        "lists": "/admin/subscribers/subscriptionlist/",
        "list-chart": f"/admin/subscribers/subscriptionlist/{sub_list.pk}/change/",
        "callbacks": "/admin/callbacks/callbackevent/",
        "callback": f"/admin/callbacks/callbackevent/{callback.pk}/change/",
    }


def log_in(page, base_url):
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/admin/")


def moderate_not_accepted(found: dict) -> dict:
    return {
        name: [f for f in findings["moderate"] if f[0] not in ACCEPTED_MODERATE]
        for name, findings in found.items()
        if any(f[0] not in ACCEPTED_MODERATE for f in findings["moderate"])
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_pages_have_no_serious_accessibility_findings(live_server, browser, story, width):
    found, sideways = {}, {}
    with open_page(browser, WIDTHS[width]) as page:
        page.goto(f"{live_server.url}/admin/login/")
        found["login"] = axe_findings(page)
        screenshot(page, f"a11y-admin-login-{width}")
        log_in(page, live_server.url)
        for name, url in admin_pages(story).items():
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, (name, response.status)
            found[name] = axe_findings(page)
            screenshot(page, f"a11y-admin-{name}-{width}")
            # Wide tables scroll in their own box; the page itself never scrolls sideways.
            page_width = page.evaluate("document.documentElement.scrollWidth")
            if page_width > int(width):
                sideways[name] = page_width
        # The opt-out form sent with nothing chosen: its errors.
        page.goto(f"{live_server.url}{admin_pages(story)['opt-out']}")
        page.get_by_role("button", name="Opt out").click()
        assert page.locator(".errorlist").count() == 2
        found["opt-out-errors"] = axe_findings(page)
        screenshot(page, f"a11y-admin-opt-out-errors-{width}")
    # Every finding, minor ones included, for a person to read next to the screenshots.
    (ARTIFACTS / f"a11y-admin-findings-{width}.json").write_text(json.dumps(found, indent=1))
    axe_check(found)
    assert moderate_not_accepted(found) == {}
    assert sideways == {}


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width", [1024, 1025, 1280, 1600])
def test_the_person_pages_buttons_sit_under_the_persons_name_never_over_it(
    live_server, browser, story, width
):
    with open_page(browser, {"viewport": {"width": width, "height": 800}}) as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{admin_pages(story)['person']}")
        name = page.locator("#content > h2").first
        assert LONG_NAME[1] in name.inner_text()
        name_box = name.bounding_box()
        tools = page.locator(".object-tools li")
        assert tools.count() >= 4
        for i in range(tools.count()):
            box = tools.nth(i).bounding_box()
            # Django floats them up by 48 px, over the title and, once they wrap, the name.
            assert not overlaps(box, name_box), (tools.nth(i).inner_text(), box, name_box)
            assert box["y"] >= name_box["y"] + name_box["height"], (box, name_box)
        screenshot(page, f"a11y-admin-person-tools-{width}")
