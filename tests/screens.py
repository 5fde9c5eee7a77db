"""Screenshots kept in the repository (docs/screenshots/), for the README and reviewers:
taken like every browser test's (tests/browser.py), then copied next to the docs."""

import shutil
from pathlib import Path

from tests.browser import screenshot

DOCS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def document(page, name: str) -> Path:
    path = screenshot(page, name)
    DOCS.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, DOCS / path.name))
