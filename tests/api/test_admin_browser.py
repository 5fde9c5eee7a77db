"""Staff make an API client and a webhook endpoint in a real browser: the key and the
secret are shown once; a disabled endpoint shows under Needs attention; the API reference
renders from this server. Screenshots in tests/artifacts/ (the chosen ones copied to
docs/screenshots/), and axe-core finds nothing serious."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.keys import key_client
from tests.browser import axe_check, axe_findings, screenshot
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.browser

PASSWORD = "api-admin-password-4e8b"  # noqa: S105


def test_a_key_and_a_secret_are_shown_once_in_a_browser(live_server, desktop_page):
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    page = desktop_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/api/apiclient/add/")
    page.fill("input[name=name]", "Web shop checkout")
    page.get_by_label("Ask whether a number may be texted").check()
    page.get_by_label("Record opt-ins and opt-outs").check()
    screenshot(page, "api-client-add")
    findings = {"client add": axe_findings(page)}
    page.click("input[name=_save]")
    key = page.get_by_label("Key Web shop checkout").input_value()
    assert key_client(key).name == "Web shop checkout"
    screenshot(page, "api-key-shown-once")
    findings["key shown"] = axe_findings(page)

    page.goto(f"{live_server.url}/admin/webhooks/webhookendpoint/add/")
    page.fill("input[name=url]", "https://crm.example/hooks")
    page.get_by_label("Opted out").check()
    page.click("input[name=_save]")
    secret = page.get_by_label("Signing secret https://crm.example/hooks").input_value()
    assert secret.startswith("whsec_") and secret == WebhookEndpoint.objects.get().secret

    WebhookEndpoint.objects.update(disabled_at=timezone.now())
    page.goto(f"{live_server.url}/admin/")
    assert "Webhook endpoints disabled" in page.locator(".stalls").inner_text()
    screenshot(page, "api-webhook-needs-attention")
    findings["index"] = axe_findings(page)
    axe_check(findings)

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector("text=consent", timeout=20000)
    screenshot(page, "api-reference")
