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


@contextmanager
def open_page(browser, options: dict):
    """A page in a fresh browser context (its own cookies), closed afterwards."""
    context = browser.new_context(**options)
    try:
        yield context.new_page()
    finally:
        context.close()


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
    [targets])], "serious": […], "moderate": […], "minor": […]}."""
    results = Axe().run(page)
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
