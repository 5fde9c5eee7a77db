"""Signed preference links: ``/preferences/<token>/``.

The token is signed for this purpose only (its own salt), carries the person's id and
``link_version``, and expires after PREFERENCE_LINK_MAX_AGE_DAYS. Raising a person's
``link_version`` (``services.person_revoke_links``) revokes every link sent before.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing

from ..models import Person

SALT = "subscribers.preference-link.v1"


class LinkError(Exception):
    """The link is expired, tampered with, revoked or names no person."""


def make_token(person: Person) -> str:
    return signing.dumps([person.pk, person.link_version], salt=SALT, compress=True)


def read_token(token: str) -> Person:
    """The person a token names; ``LinkError`` for any link that must not open."""
    max_age = timedelta(days=settings.PREFERENCE_LINK_MAX_AGE_DAYS)
    try:
        person_id, version = signing.loads(token, salt=SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkError(str(exc)) from None
    person = Person.objects.filter(pk=person_id, link_version=version).first()
    if person is None:
        raise LinkError("revoked or unknown person")
    return person


def preference_path(person: Person) -> str:
    return f"/preferences/{make_token(person)}/"


def preference_url(person: Person, *, request=None, base_url: str | None = None) -> str:
    """The full link: on the request's host when there is one, else on ``base_url``
    (default: SITE_URL). The scheme is SITE_URL's: behind a TLS-terminating proxy the
    request Django sees may be plain HTTP while the link people open is https."""
    path = preference_path(person)
    if request is not None:
        scheme = urlsplit(settings.SITE_URL).scheme or request.scheme
        return f"{scheme}://{request.get_host()}{path}"
    return f"{(base_url or settings.SITE_URL).rstrip('/')}{path}"
