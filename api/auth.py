"""Who is calling (a Bearer key), what they may do (scopes), and how often (per client).

The key is looked up on every request (api/keys.py): a key revoked in the admin or by
``keys_revoke`` is refused on the very next request. Throttling counts per client in
Django's cache (``CACHE_URL``: Redis, shared by every web process); a broken cache lets
requests through and says so, as the text limits do (subscribers/limits.py).
"""

import logging

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from .keys import key_client
from .models import ApiClient

log = logging.getLogger(__name__)


class BearerKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None  # no key: the permission answers 401
        client = key_client(key.strip())
        if client is None:
            raise exceptions.AuthenticationFailed("The API key is unknown or revoked.")
        return (client, key)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = BearerKeyAuthentication
    name = "bearerKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API client's key."}


class HasScope(permissions.BasePermission):
    """The view's ``required_scope`` must be one of the client's scopes (403 otherwise);
    a view without one is open to every client."""

    message = "This API client lacks the scope this request needs."

    def has_permission(self, request, view):
        client = request.user
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated("Send Authorization: Bearer <API key>.")
        scope = getattr(view, "required_scope", {}).get(request.method)
        if scope and not client.has_scope(scope):
            raise exceptions.PermissionDenied(f"This API client lacks the scope {scope}.")
        return True


class ClientThrottle(throttling.SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = request.user
        if not isinstance(client, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - a broken cache must not take the API down
            log.warning("API throttle cache unavailable; letting a request through")
            return True
