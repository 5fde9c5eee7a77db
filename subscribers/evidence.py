"""Who asked for a change and how: the evidence kept with each history row."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Evidence:
    ip_address: str | None = None
    user_agent: str = ""
    page: str = ""
    wording: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, wording: str = "") -> "Evidence":
        return cls(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            page=request.path[:300],
            wording=wording,
        )

    def as_fields(self) -> dict:
        return {
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "page": self.page,
            "wording": self.wording,
        }
