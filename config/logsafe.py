"""No credential in any log line.

Two secrets travel in URL paths: the callback token (``/callbacks/vibes/<token>/``,
callbacks/urls.py) and the signed preference token (``/preferences/<token>/``,
subscribers/preferences/urls.py and links.py). Django's ``django.request`` and
``django.security`` loggers write the path of every 4xx and 5xx, runserver's
``django.server`` writes every path, and a traceback or a task's result may quote one.

``CredentialFilter`` is attached to every handler in ``settings.LOGGING``; Celery installs
handlers of its own in the worker, so ``protect_handlers`` (connected in config/celery.py)
adds the filter to those. The filter rewrites the record itself, so every handler after
it sees the clean text too. What it replaces with ``[token]``:

- the path segment after ``/callbacks/vibes/`` and after ``/preferences/`` (except the
  page that asks for a new link);
- anything shaped like a signed token (``payload:timestamp:signature``), wherever it is;
- the configured secrets themselves (``CALLBACK_TOKENS``, ``MONITORING_TOKEN``,
  ``VIBES_PASSWORD``), wherever they are.
"""

import logging
import re

from django.conf import settings

MARKER = "[token]"

# The URL prefixes of config/urls.py + callbacks/urls.py and subscribers/preferences/urls.py
# (tests/config/test_logsafe.py checks them against reverse()).
CALLBACK_PREFIX = "/callbacks/vibes/"
PREFERENCE_PREFIX = "/preferences/"
PREFERENCE_PUBLIC_SEGMENTS = ("new-link",)

_SEGMENT = r"[^/?#\s'\"<>]+"
_END = r"(?=[/?#\s'\"<>]|$)"
_PATHS = re.compile(
    rf"(?P<prefix>{re.escape(CALLBACK_PREFIX)}){_SEGMENT}"
    rf"|(?P<pprefix>{re.escape(PREFERENCE_PREFIX)})"
    rf"(?!(?:{'|'.join(map(re.escape, PREFERENCE_PUBLIC_SEGMENTS))}){_END}){_SEGMENT}"
)
# django.core.signing: base64 payload (a leading "." when compressed), base62 timestamp,
# base64 HMAC-SHA256 (43 characters).
_SIGNED = re.compile(r"[A-Za-z0-9_.-]{2,}:[A-Za-z0-9]{4,}:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
_SECRET_SETTINGS = (
    "CALLBACK_TOKENS",
    "MONITORING_TOKEN",
    "VIBES_PASSWORD",
    "SUPPRESSION_KEY",
    "SUPPRESSION_KEYS_PREVIOUS",
)
_MIN_SECRET_LENGTH = 8  # shorter values would blank out ordinary words


def _secrets() -> list[str]:
    if not settings.configured:
        return []
    found = []
    for name in _SECRET_SETTINGS:
        value = getattr(settings, name, None) or []
        for secret in [value] if isinstance(value, str) else value:
            if isinstance(secret, str) and len(secret) >= _MIN_SECRET_LENGTH:
                found.append(secret)
    # Longest first, so a secret that contains another is replaced whole.
    return sorted(found, key=len, reverse=True)


def _path_marker(match: re.Match) -> str:
    return (match.group("prefix") or match.group("pprefix")) + MARKER


def redact(text: str) -> str:
    """``text`` with every credential replaced by ``[token]``."""
    for secret in _secrets():
        text = text.replace(secret, MARKER)
    text = _PATHS.sub(_path_marker, text)
    return _SIGNED.sub(MARKER, text)


class CredentialFilter(logging.Filter):
    """Rewrites the record so that no credential reaches any handler's output.

    The message and its arguments are merged into one clean string when they held a
    credential (a structured handler reading ``args`` would otherwise still see it); the
    traceback is formatted and cleaned up front; ``request`` (django.request's extra) is
    replaced by its clean description. Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._clean(record)
        except Exception:  # a log call must never fail because of this filter
            record.msg, record.args = MARKER + " (log message withheld)", ()
        return True

    def _clean(self, record: logging.LogRecord) -> None:
        if getattr(record, "_credentials_cleaned", False):
            return
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            description = repr(request)
            if redact(description) != description:
                record.request = redact(description)
        record._credentials_cleaned = True


_FILTER = CredentialFilter()


def protect_handlers(**_signal_kwargs) -> None:
    """Add the filter to every handler of every logger that lacks it (Celery's own)."""
    loggers = [logging.getLogger()]
    loggers += [
        logger
        for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, CredentialFilter) for f in handler.filters):
                handler.addFilter(_FILTER)
