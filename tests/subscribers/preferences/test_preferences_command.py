from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from subscribers import services
from subscribers.models import Source
from subscribers.preferences import links

pytestmark = pytest.mark.django_db


def run(**kwargs) -> str:
    out = StringIO()
    call_command("preference_link", stdout=out, **kwargs)
    return out.getvalue().strip()


@pytest.fixture
def person():
    return services.person_create(
        source=Source.ADMIN, mdn="+14155550132", external_person_id="crm-42"
    )


@pytest.mark.parametrize("typed", ["(415) 555-0132", "+1 415-555-0132", "4155550132"])
def test_prints_the_full_link_for_a_typed_number(person, settings, typed):
    settings.SITE_URL = "https://prefs.example.com/"
    url = run(mdn=typed)
    assert url.startswith("https://prefs.example.com/preferences/")
    assert links.read_token(url.rstrip("/").split("/")[-1]) == person


def test_finds_a_number_vibes_sent_even_in_an_unassigned_area_code():
    person, _ = services.person_upsert_from_vibes(
        identity=services.VibesIdentity(person_key="k1", mdn="+12995551234"), source=Source.IMPORT
    )
    assert links.read_token(run(mdn="299-555-1234").rstrip("/").split("/")[-1]) == person


def test_prints_the_link_for_an_external_id(person):
    url = run(external_id="crm-42")
    assert links.read_token(url.rstrip("/").split("/")[-1]) == person


def test_unknown_person_is_a_clear_error(person):
    with pytest.raises(CommandError, match=r"No person has number \+1 ••• ••• 0199"):
        run(mdn="415 555 0199")
    with pytest.raises(CommandError, match="No person has external id 'nope'"):
        run(external_id="nope")


def test_a_number_that_is_not_one_is_a_clear_error():
    with pytest.raises(CommandError, match="is not a phone number"):
        run(mdn="hello")


def test_a_shared_number_is_ambiguous(person):
    other = services.person_create(source=Source.ADMIN, mdn="+14155550132")
    with pytest.raises(
        CommandError, match=rf"2 persons have .*#{person.pk}, #{other.pk}.*--external-id"
    ):
        run(mdn="4155550132")


def test_needs_exactly_one_way_to_name_the_person():
    with pytest.raises(CommandError):
        run()
