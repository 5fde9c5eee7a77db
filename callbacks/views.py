"""The Vibes callback endpoint, in four steps: check the caller, store, normalise, hand on.

Vibes never retries a 4xx, so a 4xx is only for requests that are not from Vibes (404,
403) or can never be processed (400, 413); once an event is stored the answer is 2xx, and
5xx only when it could not be stored (Vibes then retries).

It stays a DRF view, as the design says, but without DRF's parsers, authentication,
permissions, throttles or renderers on the hot path: the body is read raw (it is stored
as sent, and Vibes' bodies are not always valid JSON) and the answer is a plain
``JsonResponse``. The benchmark (``make bench-callbacks``) measures what that costs.
"""

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from config.proxies import client_ip

from .caller import address_allowed, stored_address, token_known
from .handoff import kick
from .parsing import (
    Rejected,
    decode_body,
    mdn_of,
    parse_event,
    person_of,
    withhold_event_data,
)
from .store import event_store

# Headers worth keeping for staff; nothing that could carry a credential or a cookie.
KEPT_HEADERS = (
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_REAL_IP",
    "HTTP_X_REQUEST_ID",
    "HTTP_ACCEPT",
)


def _headers(meta) -> dict:
    kept = {}
    for key in KEPT_HEADERS:
        if key in meta:
            name = key.removeprefix("HTTP_").replace("_", "-").title()
            kept[name] = str(meta[key])[:500].replace("\x00", "\ufffd")
    return kept


def read_body(request, limit: int) -> bytes | None:
    """At most ``limit`` bytes of body, or None when it is larger (or says it is)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    raw = request.read(limit + 1)
    return None if len(raw) > limit else raw


class VibesCallbackView(APIView):
    parser_classes = ()
    renderer_classes = (JSONRenderer,)  # only for DRF's own errors (405)
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    http_method_names = ["post", "put"]

    def initial(self, request, *args, **kwargs):
        """Skip DRF's negotiation, versioning, authentication, permissions and throttles:
        none applies (the token and the allowlist are checked in ``post``), and together
        they cost a measurable share of the hot path. DRF's own error answers (405) still
        render as JSON."""
        self.format_kwarg = None
        request.accepted_renderer = self.renderer_classes[0]()
        request.accepted_media_type = request.accepted_renderer.media_type

    def post(self, request, token: str):
        django_request = request._request
        # 1. Check the caller. Nothing is written for a request that is not from Vibes.
        if not token_known(token):
            return JsonResponse({"detail": "Not found."}, status=404)
        address = client_ip(django_request)
        if not address_allowed(address):
            return JsonResponse({"detail": "Forbidden."}, status=403)

        # 2. Store, whatever the body is.
        meta = django_request.META
        common = {
            "method": django_request.method,
            "headers": _headers(meta),
            "remote_addr": stored_address(address),
        }
        limit = settings.CALLBACK_MAX_BODY_BYTES
        raw = read_body(django_request, limit)
        if raw is None:
            reason = f"The body is larger than {limit} bytes."
            event_store(parsed=None, status="rejected", error=reason, **common)
            return JsonResponse({"detail": reason}, status=413)
        body = decode_body(raw, meta.get("CONTENT_TYPE", "")).replace("\x00", "\ufffd")

        # 3. Normalise.
        try:
            parsed = parse_event(body)
        except Rejected as exc:
            event = event_store(parsed=None, body=body, status="rejected", error=str(exc), **common)
            return JsonResponse({"detail": str(exc), "id": event.pk}, status=400)
        parsed, body = withhold_event_data(parsed, body)
        # The number as sent (Vibes' API version 2 sends E.164); applying normalises it.
        mdn = mdn_of(person_of(parsed.payload))
        event = event_store(parsed=parsed, body=body, mdn=mdn, **common)
        if event.status == "rejected":
            return JsonResponse({"detail": event.error, "id": event.pk}, status=400)

        # 4. Hand on. The event is stored, so the answer is 2xx whatever happens next.
        if event.status == "received":
            transaction.on_commit(kick)
        return JsonResponse({"id": event.pk, "status": event.status}, status=200)

    put = post
