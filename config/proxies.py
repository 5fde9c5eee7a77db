"""The client's address behind the proxies this deployment runs (``TRUSTED_PROXY_COUNT``)."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting only the last ``TRUSTED_PROXY_COUNT`` hops.

    With no trusted proxies the socket address is used and X-Forwarded-For is ignored:
    a client can write anything into that header, only the proxies we run append to it.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    # Each trusted proxy appended the address it saw; the right-most hop that our own
    # proxies did not add is the client.
    if len(hops) >= count:
        return hops[-count]
    return remote
