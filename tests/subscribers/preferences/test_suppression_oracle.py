"""The preference page tells nobody which numbers were erased: typing an erased number as
a new number gets the answer any other number gets, after the same text limits and in
about the same time; nothing is texted to it, and staff see one row for it however often
it is tried (subscribers/services/proofs.py, subscribers/suppression.py)."""

import statistics
import time

import pytest
from django.test import TestCase

from subscribers import services
from subscribers.models import NumberProof, Source, SuppressionHit
from tests import texts

pytestmark = pytest.mark.django_db

ERASED = "+14155550161"
OTHER = "+14155550162"


@pytest.fixture
def erased():
    cleo = services.person_create(source=Source.ADMIN, mdn=ERASED)
    services.person_erase(person=cleo, source=Source.ADMIN)
    return cleo


def shown(number: str) -> str:
    return f"+1\u00a0•••\u00a0•••\u00a0{number[-4:]}"


def ask(client, url, number):
    return texts.post_number(client, url, number, REMOTE_ADDR="203.0.113.5")


def answer_of(client, url, number) -> tuple:
    """What the page answers, with the number's own last digits taken out."""
    answer = ask(client, url, number)
    page = client.get(url).content.decode().replace(shown(number), "NUMBER")
    start = page.index("<main")
    code_form = 'autocomplete="one-time-code"' in page
    messages = (
        page[start:].split('class="messages"')[1].split("</ul>")[0] if "messages" in page else ""
    )
    return answer.status_code, answer.get("Location"), messages, code_form


def test_an_erased_number_gets_the_answer_any_number_gets_and_nothing_is_texted(
    client, world, url, erased, texted_codes, settings
):
    settings.MONITORING_TOKEN = ""
    for_erased = answer_of(client, url, ERASED)
    for_other = answer_of(client, url, OTHER)
    assert for_erased == for_other
    assert for_erased[2] and "texted a code" in for_erased[2]
    assert [mdn for _pk, mdn, _code in texted_codes] == [OTHER]
    # Its code form refuses every code, as a wrong code is refused.
    wrong = client.post(f"{url}number/code/", {"c-code": "123456"})
    ask(client, url, ERASED)
    for code in ("000000", "123456", "999999"):
        refused = client.post(f"{url}number/code/", {"c-code": code})
        assert refused.status_code == wrong.status_code == 400
    assert "You can try 2 more times." in refused.content.decode()
    world.person.refresh_from_db()
    assert world.person.pending_mdn == ""
    assert not NumberProof.objects.filter(mdn__contains="4155550161").exists()


def test_an_erased_number_is_counted_by_the_text_limits_like_any_other(
    client, world, url, erased, texted_codes, settings
):
    settings.TEXT_LIMIT_PER_NUMBER = 2
    settings.TEXT_LIMIT_PER_PERSON = 100
    settings.TEXT_LIMIT_PER_ADDRESS = 100
    erased_answers = [ask(client, url, ERASED).status_code for _ in range(3)]
    other_answers = [ask(client, url, OTHER).status_code for _ in range(3)]
    assert erased_answers == other_answers == [302, 302, 429]
    limited = ask(client, url, ERASED).content.decode()
    assert "We can&#x27;t send another confirmation text today" in limited


def test_trying_an_erased_number_again_and_again_is_one_row_for_staff_and_no_stall(
    client, world, url, erased, settings
):
    settings.TEXT_LIMIT_PER_NUMBER = settings.TEXT_LIMIT_PER_PERSON = 1000
    settings.TEXT_LIMIT_PER_ADDRESS = 1000
    settings.MONITORING_TOKEN = "monitor-" + "m" * 32
    for _ in range(12):
        ask(client, url, ERASED)
    hit = SuppressionHit.objects.get()
    assert (hit.tries, hit.refused, hit.what) == (12, True, "code text refused")
    stalls = client.get("/healthz/stalls", HTTP_AUTHORIZATION=f"Bearer {settings.MONITORING_TOKEN}")
    assert stalls.status_code == 200, stalls.json()["problems"]
    assert stalls.json()["suppressed_numbers_refused"] == 1


def test_an_erased_number_is_answered_in_about_the_time_any_number_is(
    client, world, url, erased, texted_codes, settings
):
    settings.TEXT_LIMIT_PER_NUMBER = settings.TEXT_LIMIT_PER_PERSON = 1000
    settings.TEXT_LIMIT_PER_ADDRESS = 1000
    settings.NUMBER_REQUEST_MIN_SECONDS = 0.3  # as deployed
    timings = {ERASED: [], OTHER: []}
    for _ in range(8):
        for number in (ERASED, OTHER):
            started = time.perf_counter()
            with TestCase.captureOnCommitCallbacks(execute=True):
                client.post(f"{url}number/", {"n-mdn": number}, REMOTE_ADDR="203.0.113.5")
            timings[number].append(time.perf_counter() - started)
    erased_ms = statistics.median(timings[ERASED]) * 1000
    other_ms = statistics.median(timings[OTHER]) * 1000
    print(f"median answer: erased {erased_ms:.1f} ms, other {other_ms:.1f} ms")
    assert abs(erased_ms - other_ms) < 0.15 * other_ms
