"""Vibes' many timestamp forms, read into aware UTC datetimes (None when empty)."""

import re
from datetime import UTC, datetime

_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",  # extract files: 2017-04-05 14:30:00 -0600
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S",
)


def parse_vibes_datetime(value) -> datetime | None:
    """``2017-02-15T15:42:23Z``, ``…+0000``, ``….000Z``, ``…T14:30Z``, ``…+00:00``, a
    lower-case ``z``, ``2017-04-05 14:30:00 -0600``; empty gives None; else ValueError."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    text = re.sub(r"[zZ]$", "+0000", text)
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    raise ValueError(f"unreadable date: {text[:40]!r}")
