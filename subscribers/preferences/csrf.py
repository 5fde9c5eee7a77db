"""CSRF protection that works on pages sent with ``Referrer-Policy: no-referrer``.

The preference pages carry a secret (the signed token) in their URL, so they tell the
browser never to send a Referer. Browsers then also send ``Origin: null`` with the
page's own form posts (Fetch standard: a no-referrer request serialises its origin as
null), and Django's origin check rejects every one of them. For these views only, an
``Origin: null`` is accepted when the browser also says the request comes from this very
origin (``Sec-Fetch-Site: same-origin``; no page script can set a ``Sec-`` header). Any
other ``Origin: null`` is refused: a sandboxed frame or a ``data:`` page on another site
sends it too, and accepting it would also skip Django's Referer check on HTTPS. The form's
CSRF token must still match the CSRF cookie, and a real foreign origin is still refused.
"""

from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt


class _NoReferrerCsrfMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        return super()._origin_verified(request)


_protect = decorator_from_middleware(_NoReferrerCsrfMiddleware)


def csrf_protect_no_referrer(view):
    """Replace the site-wide CSRF check of ``view`` with the no-referrer-aware one."""
    return csrf_exempt(_protect(view))
