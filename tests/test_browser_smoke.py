import pytest

from tests.browser import screenshot

pytestmark = pytest.mark.browser


def test_admin_login_page_renders_in_a_real_browser(live_server, phone_page):
    phone_page.goto(f"{live_server.url}/admin/login/")
    assert phone_page.locator("input[name=username]").is_visible()
    assert screenshot(phone_page, "admin-login-phone").stat().st_size > 1000
