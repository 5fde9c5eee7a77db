"""Who asked for a change and how: the evidence kept with each history row."""

from dataclasses import dataclass

from django.http import HttpRequest

from config.proxies import client_ip


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
