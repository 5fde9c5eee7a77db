import pytest
from django.core import signing
from django.test import override_settings

from subscribers import services
from subscribers.models import Source
from subscribers.preferences import links

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return services.person_create(source=Source.ADMIN, mdn="+14155550132")


def test_a_fresh_link_opens_the_persons_page(person):
    assert links.read_token(links.make_token(person)) == person
    assert links.preference_url(person, base_url="https://prefs.example.com/").startswith(
        "https://prefs.example.com/preferences/"
    )


def test_a_tampered_link_does_not_open(person):
    token = links.make_token(person)
    with pytest.raises(links.LinkError):
        links.read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_a_token_signed_for_another_purpose_does_not_open(person):
    other = signing.dumps([person.pk, person.link_version], salt="something-else")
    with pytest.raises(links.LinkError):
        links.read_token(other)


def test_an_expired_link_does_not_open(person):
    token = links.make_token(person)
    with override_settings(PREFERENCE_LINK_MAX_AGE_DAYS=-1), pytest.raises(links.LinkError):
        links.read_token(token)


def test_revoking_closes_every_earlier_link_but_not_new_ones(person):
    old = links.make_token(person)
    services.person_revoke_links(person=person)
    with pytest.raises(links.LinkError):
        links.read_token(old)
    assert links.read_token(links.make_token(person)) == person
