"""The erasure confirmation and the open opt-outs in a real browser, as a Marketing user
who may erase; screenshots in tests/artifacts/."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from subscribers import services
from subscribers.models import Push, Source
from tests.browser import axe_check, axe_findings, screenshot

from .admin_helpers import person_with_story
from .test_admin_browser import log_in

pytestmark = pytest.mark.browser


def test_erasing_and_the_open_opt_outs_in_a_browser(
    live_server, desktop_page, marketing_user, lists, settings
):
    settings.STALL_PUSH_SECONDS = 0  # the erasure push waits (no worker here): a stall
    marketing_user.user_permissions.add(Permission.objects.get(codename="erase_person"))
    ana = person_with_story(lists, n=1, first="Ana", last="Garcia")
    ben = person_with_story(lists, n=2, first="Ben", last="Okafor")
    services.subscription_cancel(
        person=ben,
        subscription_list=lists[2],
        source=Source.ADMIN,
        occurred_at=timezone.now() - timedelta(hours=2),
        opt_out_reason="complaint",
    )
    Push.objects.filter(person=ben).update(state=Push.State.FAILED, last_error="timeout")
    page = desktop_page
    log_in(page, live_server.url, marketing_user.username)

    page.goto(f"{live_server.url}/admin/subscribers/person/{ana.pk}/change/")
    page.click("a.erase-link")
    page.fill("textarea[name=note]", "Asked by email to delete her data")
    page.fill("input[name=confirm]", "erase please")
    page.click("input[name=apply]")
    assert page.locator(".errorlist").inner_text().startswith("Type ERASE")
    screenshot(page, "admin-erase-confirmation")
    axe_check({"erase": axe_findings(page)})
    page.fill("input[name=confirm]", "ERASE")
    page.click("input[name=apply]")
    page.wait_for_url(f"{live_server.url}/admin/subscribers/person/{ana.pk}/change/")
    assert "1 person erased" in page.locator(".messagelist").inner_text()
    screenshot(page, "admin-erased-person")

    page.goto(f"{live_server.url}/admin/subscribers/optoutdeadline/")
    text = page.locator("#result_list").inner_text()
    assert "push failed: retried hourly: timeout" in text
    assert "Ben Okafor" in text and "2\xa0hours" in text
    screenshot(page, "admin-open-opt-outs")
    page.goto(f"{live_server.url}/admin/")
    banner = page.locator(".stalls").inner_text()
    assert "Opt-outs Vibes has not confirmed" in banner
    assert "Erasures Vibes has not completed" in banner
    screenshot(page, "admin-index-compliance")
