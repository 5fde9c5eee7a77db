"""Vibes' many timestamp forms, read into aware UTC datetimes.

One reader for callbacks, the API's answers and the extract files:
``2017-02-15T15:42:23Z``, ``…+0000``, ``…+00:00``, ``2018-07-09T23:55:00.000Z``,
``2017-01-15T14:30Z`` (no seconds), a lower-case ``z``, ``2017-04-05 14:30:00 -0600``
(extract files), a bare date, epoch seconds or milliseconds. No zone means UTC.
"""

import re
from datetime import UTC, datetime, timedelta, timezone

_TIMESTAMP = re.compile(
    r"""^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})
    (?:[Tt\s]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?
    \s*(?:(?P<z>[Zz]|UTC|GMT)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2})?)?$""",
    re.VERBOSE,
)


def parse_timestamp(value) -> datetime | None:
    """Any of the forms above as an aware UTC datetime; None when empty or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value.strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        offset = timedelta(0)
        if g["sign"]:
            offset = timedelta(hours=int(g["oh"]), minutes=int(g["om"] or 0))
            if g["sign"] == "-":
                offset = -offset
        moment = datetime(
            int(g["y"]),
            int(g["mo"]),
            int(g["d"]),
            int(g["h"] or 0),
            int(g["mi"] or 0),
            int(g["s"] or 0),
            int((g["f"] or "0")[:6].ljust(6, "0")),
            tzinfo=timezone(offset),
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def parse_vibes_datetime(value) -> datetime | None:
    """As ``parse_timestamp``, but a non-empty value it cannot read is a ``ValueError``,
    so that the extract import can report the row."""
    parsed = parse_timestamp(value)
    if parsed is None and value is not None and str(value).strip():
        raise ValueError(f"unreadable date: {str(value).strip()[:40]!r}")
    return parsed
