"""Playwright driving Debian's chromium (/usr/bin/chromium), never a downloaded build.

Browser tests are skipped where chromium is not installed, unless REQUIRE_BROWSER=1 (as in
CI, whose Makefile target `browser-deps` installs it), where that is a failure.
Screenshots go to tests/artifacts/ so a person can look at them.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but chromium is missing at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make
    # around it are still synchronous. Set for the browser tests only, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@contextmanager
def open_page(browser, options: dict):
    """A page in a fresh browser context (its own cookies), closed afterwards.

    Every browser test checks the Content-Security-Policy on the way: each HTML page it
    opens must carry the header (config/settings/security.py), and nothing on any page
    may break it (the browser says so on the console: an inline script or style). One
    refusal is the policy at work, not a page breaking it: Redoc's footer always asks
    for its logo from Redocly's CDN (api/urls.py), and the policy keeps that request
    from leaving."""
    context = browser.new_context(**options)
    page = context.new_page()
    violations, unguarded = [], []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text} at {message.location}")
            if "Content Security Policy" in message.text
            and not getattr(page, "auditing", False)
            and REDOC_LOGO not in message.text
            else None
        ),
    )
    page.on("response", lambda response: unguarded.extend(_without_csp(response)))
    try:
        yield page
    finally:
        context.close()
    assert not violations, violations
    assert not unguarded, unguarded


def _without_csp(response) -> list[str]:
    """The page's URL when ``response`` is an HTML page that came without the header."""
    if response.request.resource_type != "document" or not 200 <= response.status < 300:
        return []
    headers = response.headers
    if not headers.get("content-type", "").startswith("text/html"):
        return []
    return [] if "content-security-policy" in headers else [response.url]


@pytest.fixture
def phone_page(browser):
    with open_page(browser, PHONE) as page:
        yield page


@pytest.fixture
def desktop_page(browser):
    with open_page(browser, DESKTOP) as page:
        yield page


def axe_findings(page) -> dict[str, list]:
    """axe-core's violations on the page, by impact: {"critical": [(rule id, help,
    [targets])], "serious": […], "moderate": […], "minor": […]}.

    axe-core itself sets inline styles while it checks, which the page's policy refuses:
    those refusals are the tool's, not the page's (``open_page`` does not count them)."""
    page.auditing = True
    try:
        results = Axe().run(page)
        page.evaluate("0")  # the console messages of the run arrive before this answer
    finally:
        page.auditing = False
    found: dict[str, list] = {"critical": [], "serious": [], "moderate": [], "minor": []}
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        found[violation["impact"] or "minor"].append((violation["id"], violation["help"], targets))
    return found


def axe_check(pages: dict) -> None:
    """Fail on any critical or serious axe-core violation of ``pages`` ({name: findings}),
    naming them all at once."""
    blocking = {
        name: found["critical"] + found["serious"]
        for name, found in pages.items()
        if found["critical"] or found["serious"]
    }
    assert not blocking, blocking


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
