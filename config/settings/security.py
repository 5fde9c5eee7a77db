"""The public address and HTTPS: cookies, HSTS, the proxy header, CSRF origins; staff
sessions and sign-in throttling."""

from datetime import timedelta
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .base import DEBUG, env

# The public base URL: links printed outside a request are built on it, and links built
# from a request take its scheme (subscribers/preferences/links.py), so a TLS proxy that
# does not say X-Forwarded-Proto still yields https links.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
_SITE = urlsplit(SITE_URL)
SITE_IS_HTTPS = _SITE.scheme == "https"

# Security. HTTPS_ONLY turns on the redirect, secure cookies and HSTS; it defaults to on
# when DEBUG is off. Off serves production settings over plain HTTP (behind a
# TLS-terminating proxy or on loopback); cookies stay Secure when SITE_URL is https.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY or SITE_IS_HTTPS
CSRF_COOKIE_SECURE = HTTPS_ONLY or SITE_IS_HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
# The header a TLS-terminating proxy sets, as "HEADER,value" (e.g.
# "HTTP_X_FORWARDED_PROTO,https"); empty (the default) trusts none. Only a proxy that
# overwrites the header may be trusted with it: without one, any client could send it and
# pass for HTTPS. So it is trusted only when configured, HTTPS_ONLY or not.
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _PROXY_SSL_HEADER:
    _header, _sep, _value = _PROXY_SSL_HEADER.partition(",")
    if not _header.strip() or not _value.strip():
        raise ImproperlyConfigured(
            'SECURE_PROXY_SSL_HEADER must read "HEADER,value", e.g. "HTTP_X_FORWARDED_PROTO,https".'
        )
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip())
else:
    SECURE_PROXY_SSL_HEADER = None
# Origins whose form posts are accepted (Django's CSRF origin check); SITE_URL's own by
# default, so the admin login works when the proxy's scheme or host differs from the
# request Django sees.
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"{_SITE.scheme}://{_SITE.netloc}"] if _SITE.scheme and _SITE.netloc else [],
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not HTTPS_ONLY and not DEBUG:
    # Deliberately served over plain HTTP: silence the checks that only make sense for TLS
    # (HSTS, the redirect) and, when SITE_URL is not https either, the cookie flags.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]
    if not SESSION_COOKIE_SECURE:
        SILENCED_SYSTEM_CHECKS += ["security.W012", "security.W016"]

# Staff sessions (the only sessions: subscribers' pages go by their signed link) end this
# many seconds after sign-in.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user
# from one address, that pair is refused (429) for LOGIN_LOCKOUT_MINUTES, right password
# or not. Counted in the database, so every web process sees them. Staff lift a lockout
# by deleting its "access attempt" in the admin (Axes). By user and address together: a
# user alone would let anyone lock a known staff member out.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_ip"  # TRUSTED_PROXY_COUNT's rule
AXES_RESET_ON_SUCCESS = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 100

# Content-Security-Policy on every response (django-csp's middleware, config/settings/
# base.py): scripts and styles from this site's own files only, never inline, so markup an
# attacker slips into a stored value cannot run. Every page keeps to it, the admin too:
# templates load their CSS and JS from subscribers/static/subscribers/ (which a deployment
# serves at STATIC_URL, as it serves the admin's). data: images are the admin's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
