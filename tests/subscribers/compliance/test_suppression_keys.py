"""The suppression list survives key rotation, and erasing by number erases the number's
current holder only.

``SUPPRESSION_KEY`` is a key of its own: rotating ``SECRET_KEY`` changes nothing, and a
``SUPPRESSION_KEY`` rotated with the old one in ``SUPPRESSION_KEYS_PREVIOUS`` keeps every
erased number recognised; each is re-hashed with the new key when it comes back
(subscribers/suppression.py). Whether the settings derive the key from the secret is
tested where the settings are read afresh (tests/config/test_safe_defaults.py).
"""

import hashlib
import hmac
import io

import pytest
from django.core.management import call_command

from subscribers import services, suppression
from subscribers.models import Person, Source, SuppressedNumber, SuppressionHit

pytestmark = pytest.mark.django_db

MDN = "+14155550171"


@pytest.fixture
def erased(settings):
    settings.SUPPRESSION_KEY = "first-suppression-key-" + "k" * 20
    settings.SUPPRESSION_KEYS_PREVIOUS = []
    person = services.person_create(source=Source.ADMIN, mdn=MDN)
    services.person_erase(person=person, source=Source.ADMIN)
    return person


def a_new_sign_up_is_refused() -> bool:
    newcomer = services.person_create(source=Source.VIBES_CALLBACK, mdn=MDN)
    lst = services.subscription_list_upsert(list_id="1234", acquisition_campaign_id="99")[0]
    return (
        services.subscription_request(
            person=newcomer, subscription_list=lst, source=Source.PREFERENCE_PAGE
        )
        is None
    )


def test_rotating_the_secret_key_keeps_every_erased_number_suppressed(erased, settings):
    settings.SECRET_KEY = "a-completely-new-secret-key-" + "z" * 30
    assert suppression.is_suppressed(MDN)
    assert a_new_sign_up_is_refused()


def test_a_rotated_suppression_key_keeps_the_list_with_the_old_key_kept_as_previous(
    erased, settings
):
    old = settings.SUPPRESSION_KEY
    settings.SUPPRESSION_KEY = "second-suppression-key-" + "n" * 20
    settings.SUPPRESSION_KEYS_PREVIOUS = [old]
    assert suppression.is_suppressed(MDN)
    assert a_new_sign_up_is_refused()
    # Recognised once, the entry is hashed with the new key: the old one may go.
    assert SuppressedNumber.objects.get().number_hash == suppression.number_hash(MDN)
    settings.SUPPRESSION_KEYS_PREVIOUS = []
    assert suppression.is_suppressed(MDN)
    assert suppression.suppressed_among([MDN]) == {MDN}
    assert SuppressionHit.objects.count() == 1


def test_a_number_hashed_before_the_key_had_to_be_set_is_still_recognised(settings):
    """Before SUPPRESSION_KEY was required, the key was derived from SECRET_KEY."""
    legacy = hashlib.sha256(f"suppression:{settings.SECRET_KEY}".encode()).hexdigest()
    digest = hmac.new(legacy.encode(), MDN.encode(), hashlib.sha256).hexdigest()
    SuppressedNumber.objects.create(number_hash=digest)
    assert suppression.is_suppressed("+1 415 555 0171")
    assert SuppressedNumber.objects.get().number_hash == suppression.number_hash(MDN)


def test_without_a_suppression_key_nothing_is_hashed(settings):
    settings.SUPPRESSION_KEY = ""
    with pytest.raises(Exception, match="SUPPRESSION_KEY"):
        suppression.number_hash(MDN)


@pytest.fixture
def reassigned():
    """The number died on Ana (Vibes: disconnect) and the carrier gave it to Ben."""
    ana = services.person_create(source=Source.VIBES_CALLBACK, mdn=MDN, person_key="pk-ana")
    services.person_number_dead(person=ana, reason="disconnect", occurred_at=ana.created_at)
    ben = services.person_create(source=Source.VIBES_CALLBACK, mdn=MDN, person_key="pk-ben")
    return ana, ben


def test_erasing_by_number_erases_its_current_holder_only(reassigned):
    ana, ben = reassigned
    out = io.StringIO()
    call_command("person_erase", "--mdn", "(415) 555-0171", "--yes", stdout=out)
    assert f"person #{ben.pk}: erased" in out.getvalue()
    assert Person.objects.get(pk=ben.pk).mdn == ""
    ana.refresh_from_db()
    assert ana.mdn == MDN and ana.erased_at is None


def test_erasing_by_number_with_earlier_holders_erases_them_too(reassigned):
    ana, ben = reassigned
    call_command("person_erase", "--mdn", MDN, "--earlier-holders", "--yes", stdout=io.StringIO())
    assert Person.objects.filter(erased_at__isnull=False).count() == 2
