"""event_processed through the endpoint: what Vibes did with an event we posted to its
Event API, applied to our text (docs/vibes.md, "Texts of our own"). A failure shows on the
subscriber's page and to staff; the code or link it echoes is never kept."""

import pytest
from django.test import Client

from callbacks.models import CallbackEvent
from subscribers import services
from subscribers.models import NumberProof, Source, Text
from subscribers.outbox.texts import text_accepted, unseal
from subscribers.preferences import links

pytestmark = pytest.mark.django_db

ANA, NEW = "+14155550101", "+14155550132"


@pytest.fixture(autouse=True)
def event_senders(settings):
    settings.VIBES_EVENT_TYPE_NUMBER_CODE = "prefs_number_code"
    settings.VIBES_EVENT_TYPE_PREFERENCE_LINK = "prefs_preference_link"
    settings.NUMBER_CODE_SENDER = "subscribers.outbox.texts.number_code_sender"
    settings.PREFERENCE_LINK_SENDER = "subscribers.outbox.texts.preference_link_sender"
    settings.PREFERENCE_LINK_REQUEST_MIN_SECONDS = 0


@pytest.fixture
def person(db):
    return services.person_create(source=Source.ADMIN, mdn=ANA, external_person_id="crm-9")


@pytest.fixture
def code_text(person, django_capture_on_commit_callbacks) -> Text:
    """The code for a new number, posted to Vibes and accepted (202)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.person_ask_number(person=person, mdn=NEW, source=Source.PREFERENCE_PAGE)
    text = Text.objects.get(person=person)
    text.code = unseal(text.sealed, text.event_id)  # what the phone would receive
    text_accepted(text, event_type="prefs_number_code")
    return text


def processed(text: Text, *, status="processing", reason=None, kind="routing", envelope="cb-1"):
    """Vibes' event_processed as its reference shows it (a routing success; a failure
    carries a failing status and the reason, which the reference names but does not show)."""
    data = {"mdn": NEW, "code": text.code} if text.kind == "number_code" else {"mdn": ANA}
    if text.kind == "preference_link":
        data["link"] = "https://prefs.example/preferences/secret-token-0123456789/"
    return {
        "event_id": f"3a083a69-2064-430a-8ab6-72f163692e{envelope[-2:].replace('-', '0')}",
        "callback_type": "event_processed",
        "event_date": "2026-12-07T20:02:36Z",
        "event_processed": {
            "event_id": text.event_id,
            "event_type": "prefs_number_code",
            "event_data": data,
            "debug_data": {"field": "CUST_SYSTEM"},
            "action": {
                "type": kind,
                "status": status,
                "status_reason": reason or "accepted_by_event_triggered_message",
                "resource_url": "/companies/:company_key/mobiledb/event_triggered_messages/:id",
            },
        },
    }


def test_a_routing_success_marks_the_code_sent(deliver, code_text):
    assert deliver(processed(code_text)).status_code == 200
    event = CallbackEvent.objects.get(callback_type="event_processed")
    assert event.status == CallbackEvent.Status.APPLIED and event.person_id == code_text.person_id
    assert Text.objects.get(pk=code_text.pk).state == Text.State.SENT
    assert NumberProof.objects.get(pk=code_text.proof_id).closed_at is None  # still typed in


def test_a_routing_failure_fails_the_code_and_the_page_says_it_could_not_be_sent(
    deliver, code_text, person
):
    page = links.preference_path(person)
    before = Client().get(page).content.decode()
    assert 'id="number-code"' in before and "couldn't text a code" not in before

    deliver(processed(code_text, status="failed", reason="person_not_found"))

    text = Text.objects.get(pk=code_text.pk)
    assert text.state == Text.State.FAILED
    assert text.reason == "Vibes, routing: person_not_found"
    assert NumberProof.objects.get(pk=code_text.proof_id).closed_at is not None
    after = Client().get(page).content.decode()
    assert "We couldn&#x27;t text a code to" in after and 'id="number-code"' not in after
    assert CallbackEvent.objects.get().error.startswith("Code proving a new number could not")


def test_the_stored_callback_keeps_neither_the_code_nor_the_link(deliver, code_text, person):
    deliver(processed(code_text, status="failed", reason="carrier_not_supported"))
    event = CallbackEvent.objects.get()
    assert code_text.code not in event.body and code_text.code not in str(event.payload)
    assert event.payload["event_processed"]["event_data"] == {"mdn": NEW, "code": "(withheld)"}
    assert event.payload["event_processed"]["action"]["status_reason"] == "carrier_not_supported"


def test_a_failed_delivery_after_a_routing_success_fails_the_text_and_not_the_reverse(
    deliver, code_text
):
    deliver(processed(code_text, status="failed", reason="undeliverable", kind="carrier_dlr"))
    deliver(processed(code_text, envelope="cb-2"))  # a routing success arriving late
    text = Text.objects.get(pk=code_text.pk)
    assert (text.state, text.reason) == ("failed", "Vibes, carrier_dlr: undeliverable")
    assert CallbackEvent.objects.filter(status="applied").count() == 2


def test_an_event_that_is_not_ours_or_says_nothing_changes_nothing(deliver, code_text):
    other = processed(code_text)
    other["event_processed"]["event_id"] = "5e9cabf7-228c-4f6e-944e-57b7728bc899"
    deliver(other)
    deliver(processed(code_text, status="", reason="", envelope="cb-3"))
    first, second = CallbackEvent.objects.order_by("pk")
    assert first.status == second.status == CallbackEvent.Status.IGNORED
    assert "Not an event of ours" in first.error and "neither sent nor failed" in second.error
    assert Text.objects.get(pk=code_text.pk).state == Text.State.ACCEPTED


@pytest.mark.parametrize("batch", [500, 0])
def test_both_apply_paths_send_it_to_its_handler(deliver, code_text, settings, batch):
    settings.CALLBACK_APPLY_BATCH = batch
    deliver(processed(code_text, status="failed", reason="no_route_rules"))
    assert Text.objects.get(pk=code_text.pk).state == Text.State.FAILED


def test_a_link_that_could_not_be_sent_shows_on_the_answer_page(deliver, person):
    client = Client()
    asked = client.post("/preferences/new-link/", {"mdn": "(415) 555-0101"})
    assert asked.status_code == 302
    answer_url = asked["Location"]
    assert answer_url.startswith("/preferences/new-link/sent/?text=")
    text = Text.objects.get(person=person)
    assert answer_url.endswith(text.event_id)
    assert "Check your texts" in client.get(answer_url).content.decode()
    text.code = ""
    text_accepted(text, event_type="prefs_preference_link")

    deliver(processed(text, status="failed", reason="carrier_not_supported"))

    failed = client.get(answer_url).content.decode()
    assert "text you a link" in failed and 'role="alert"' in failed
    event = CallbackEvent.objects.get()
    assert "secret-token" not in event.body
    # Another reference, or a number nobody has, reads as before: nothing is told.
    unknown = client.post("/preferences/new-link/", {"mdn": "(415) 555-0177"})
    assert unknown["Location"].startswith("/preferences/new-link/sent/?text=")
    assert "Check your texts" in client.get(unknown["Location"]).content.decode()
