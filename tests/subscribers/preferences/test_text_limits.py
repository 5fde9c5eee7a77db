"""No SMS pumping: every request that makes Vibes text a number is counted per person, per
destination number and per source address (IPv6 by its /64), per day, and only numbers of
the served countries are texted (subscribers/limits.py)."""

import pytest

from subscribers import services
from subscribers.models import NumberProof, Person, Source
from subscribers.preferences import links
from tests import texts

pytestmark = pytest.mark.django_db

LIMITED = "We can&#x27;t send another confirmation text today"


def ask_number(client, person, number, ip="203.0.113.5"):
    return texts.post_number(client, links.preference_path(person), number, REMOTE_ADDR=ip)


def codes_texted(person) -> int:
    return NumberProof.objects.filter(person=person).count()


def other_person(n: int) -> Person:
    person = services.person_create(source=Source.ADMIN, mdn=f"+1415555{n:04d}")
    services.subscription_activate(
        person=person, subscription_list=services.subscription_list_upsert(list_id="1234")[0],
        source=Source.VIBES_CALLBACK,
    )  # fmt: skip
    return person


def test_thirty_numbers_typed_in_a_row_from_one_page_send_only_the_daily_few(
    client, world, settings
):
    answers = [
        ask_number(client, world.person, f"+1415555{n:04d}").status_code for n in range(200, 230)
    ]
    allowed = settings.TEXT_LIMIT_PER_PERSON
    assert answers[:allowed] == [302] * allowed
    assert answers[allowed:] == [429] * (30 - allowed)
    assert codes_texted(world.person) == allowed
    assert texts.CODES[-1][1] == "+14155550204"  # the last one allowed, nothing after
    body = ask_number(client, world.person, "+14155550299").content.decode()
    assert LIMITED in body


def test_one_victim_number_is_texted_at_most_the_daily_few_times_whoever_asks(
    client, world, settings
):
    victim = "+14155550777"
    answers = [
        ask_number(client, other_person(n), victim, ip=f"198.51.100.{n}").status_code
        for n in range(5)
    ]
    allowed = settings.TEXT_LIMIT_PER_NUMBER
    assert answers == [302] * allowed + [429] * (5 - allowed)


def test_addresses_of_one_ipv6_64_share_one_budget(client, world, settings):
    settings.TEXT_LIMIT_PER_ADDRESS = 2
    answers = [
        ask_number(
            client, other_person(n), f"+1415555{n + 300:04d}", ip=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(1, 4)
    ]
    assert answers == [302, 302, 429]
    # Another /64 has a budget of its own.
    fresh = ask_number(client, other_person(9), "+14155550399", ip="2001:db8:1:3::1")
    assert fresh.status_code == 302


def test_a_number_outside_the_served_countries_is_refused_and_nothing_is_texted(
    client, world, settings
):
    response = ask_number(client, world.person, "+44 7400 123456")
    assert response.status_code == 429
    assert "only text numbers in the countries we serve" in response.content.decode()
    assert codes_texted(world.person) == 0 and texts.CODES == []
    settings.TEXT_ALLOWED_REGIONS = ["US", "GB"]
    assert ask_number(client, world.person, "+44 7400 123456").status_code == 302
    assert codes_texted(world.person) == 1


def staff_types_number(client, person, number) -> str:
    """Staff's "Start a number change" (the number field itself is read-only)."""
    url = f"/admin/subscribers/person/{person.pk}/number/"
    return client.post(url, {"mdn": number}, follow=True).content.decode()


def test_staff_typing_numbers_meet_the_same_limits(marketing_client, world, settings):
    settings.TEXT_LIMIT_PER_PERSON = 1
    assert "We texted a one-time code" in staff_types_number(
        marketing_client, world.person, "+14155550501"
    )
    body = staff_types_number(marketing_client, world.person, "+14155550502")
    assert LIMITED in body
    assert [mdn for _pk, mdn in NumberProof.objects.values_list("person", "mdn")] == [
        "+14155550501"
    ]


def test_asks_refused_for_one_page_do_not_use_up_the_numbers_day(client, world, settings):
    """A link past its own limit keeps typing someone's number: refused, so not counted
    against that number, whose owner can still change to it."""
    for n in range(settings.TEXT_LIMIT_PER_PERSON):
        assert ask_number(client, world.person, f"+1415555{n + 400:04d}").status_code == 302
    wanted = "+14155550777"
    for _ in range(settings.TEXT_LIMIT_PER_NUMBER):
        assert ask_number(client, world.person, wanted).status_code == 429
    owner = other_person(7)
    assert ask_number(client, owner, wanted, ip="198.51.100.7").status_code == 302
    assert NumberProof.objects.filter(person=owner, mdn=wanted).exists()


def test_one_links_refused_asks_leave_its_shared_address_its_quota(client, world, settings):
    """Behind one shared address (a school, a carrier's NAT) one link asking thirty times
    uses up only what it was sent: the others there still get their texts."""
    answers = [
        ask_number(client, world.person, f"+1415555{n:04d}").status_code for n in range(500, 530)
    ]
    assert answers.count(302) == settings.TEXT_LIMIT_PER_PERSON
    neighbours = [other_person(n) for n in range(20, 25)]
    others = [
        ask_number(client, person, f"+1415555{n + 600:04d}").status_code
        for n, person in enumerate(neighbours)
    ]
    assert others == [302] * (settings.TEXT_LIMIT_PER_ADDRESS - settings.TEXT_LIMIT_PER_PERSON)
