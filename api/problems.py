"""Every error as RFC 9457 problem details: ``type``, ``title``, ``status``, ``detail``
and a stable ``code`` a client can branch on; a bad field is named in ``errors``.

DRF's own exceptions (authentication, permission, throttling, parse, validation, 404,
405) go through ``problem_handler``; the API's own refusals raise ``Problem``. Anything
else is logged and answered as a 500 problem, never an HTML page.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://vibes-preference-center.invalid/problems/"

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Refused",
    429: "Too many requests",
    500: "Server error",
}


class Problem(exceptions.APIException):
    """A refusal with its own status and code: ``raise Problem(422, "suppressed", "…")``."""

    def __init__(self, status: int, code: str, detail: str, *, errors: dict | None = None):
        self.status_code = status
        self.code = code
        self.errors = errors
        super().__init__(detail=detail, code=code)


class ProblemSerializer(serializers.Serializer):
    """The body of every error (documented in the schema for each operation)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For each field in error, why.",
    )


def problem_response(
    status: int, code: str, detail: str, *, errors: dict | None = None, headers=None
) -> Response:
    body = {
        "type": TYPE_BASE + code,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status, headers=headers, content_type=MEDIA_TYPE)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as ``{"evidence.ip": ["…"]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
    elif isinstance(detail, list):
        for item in detail:
            for key, messages in _flatten(item, prefix).items():
                out.setdefault(key, []).extend(messages)
    else:
        out.setdefault(prefix or "body", []).append(str(detail))
    return out


def problem_handler(exc, context):
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, Problem):
        return problem_response(exc.status_code, exc.code, str(exc.detail), errors=exc.errors)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        named = ", ".join(sorted(errors))
        return problem_response(400, "invalid", f"Invalid fields: {named}.", errors=errors)
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        return problem_response(exc.status_code, code, str(exc.detail), headers=headers)
    log.exception("API request failed", exc_info=exc)
    return problem_response(500, "server_error", "The request could not be completed.")


def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a problem, not Django's HTML 404 page."""
    return JsonResponse(
        {
            "type": TYPE_BASE + "not_found",
            "title": _TITLES[404],
            "status": 404,
            "detail": "No such API endpoint.",
            "code": "not_found",
        },
        status=404,
        content_type=MEDIA_TYPE,
    )
