"""What the configured log handlers write, for tests that assert no credential is in it.

``log_output`` points every handler that ``settings.LOGGING`` attached to the root logger
(the ones carrying config/logsafe.py's filter) at a buffer for the test, so a test reads
the real formatted output, next to pytest's ``caplog``.
"""

import io
import logging

import pytest

from config.logsafe import CredentialFilter


def configured_handlers() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, CredentialFilter) for f in h.filters)
    ]


@pytest.fixture
def log_output():
    """A buffer holding what the configured handlers write during the test."""
    handlers = [h for h in configured_handlers() if isinstance(h, logging.StreamHandler)]
    assert handlers, "settings.LOGGING attached no filtered stream handler to the root logger"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def assert_clean(secret: str, caplog, log_output, *, logged: str) -> None:
    """``secret`` is in no log line, and the line naming ``logged`` was written."""
    written = log_output.getvalue()
    assert logged in caplog.text, caplog.text
    assert logged in written, written
    assert secret not in caplog.text, caplog.text
    assert secret not in written, written
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in repr(record.args)
        assert secret not in str(getattr(record, "request", ""))
