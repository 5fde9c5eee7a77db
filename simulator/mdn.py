"""Numbers as Vibes' API reads them, by API version."""

import re

from .errors import ApiError

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
NATIONAL = re.compile(r"^1?\d{10}$")


def parse_mdn(value, *, version: int = 2) -> str:
    """The stored (E.164) form of a number sent to the API, or 400 "Invalid MDN format".

    Version 2 requires E.164. Version 1 takes North American numbers without ``+`` and
    rejects E.164, which is why clients must send ``X-API-Version: 2``.
    """
    text = value if isinstance(value, str) else ""
    if version >= 2 and E164.match(text):
        return text
    if version == 1 and NATIONAL.match(text):
        return "+1" + text[-10:]
    raise ApiError(400, "Invalid MDN format", 4001)
