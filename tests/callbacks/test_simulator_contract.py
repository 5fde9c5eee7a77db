"""The simulator held to Vibes' documented callbacks: every callback it sends in a day's
work (a list appears, a phone joins through a campaign and replies Y, staff change the
person, the phone texts, then says STOP) is posted through the product's parser and
applied by its handler, and

- every field it carries is one ../shared/docs/vibes-api.md §4 documents for that type
  (``DOCUMENTED``, cited in docs/vibes.md), so no shape only we and the simulator know
  survives;
- every field is read by the product, or is in ``IGNORED`` with the reason it is not.

Reading is observed, not declared: the body is parsed into dicts that record which keys
the parser and the handler ask for."""

import json
from types import SimpleNamespace

import pytest

from callbacks import parsing
from callbacks.handlers import HANDLERS
from callbacks.parsing import mdn_of, parse_event, person_of
from callbacks.store import event_store
from simulator.delivery import Deliverer
from simulator.hooks import CALLBACK_TYPES
from simulator.records import SimCampaign
from simulator.state import SimulatorState
from subscribers import services
from subscribers.models import Source
from subscribers.outbox.models import Text

pytestmark = pytest.mark.django_db

ENVELOPE = {"event_id", "callback_type", "event_type", "event_date", "callback_id"}
ENVELOPE |= {"delivery_attempt"}
_PERSON_REF = {"id", "external_id", "url", "mobile_phone.mdn"}
_SUBSCRIPTION = {
    "subscription_list.id",
    "subscription_list.url",
    "opt_in_date",
    "acquisition_campaign.id",
    "acquisition_campaign.url",
    "url",
} | {f"person.{f}" for f in _PERSON_REF | {"external_person_id", "person_key"}}
_PERSON = {
    "person_key",
    "person_id",
    "external_person_id",
    "mobile_phone.mdn",
    "mobile_phone.carrier_code",
    "custom_fields",  # the account's own keys
    "timezone",
    "created_at",
    "updated_at",
    "url",
}
_LIST = {"id", "name", "url", "subscribers_url", "acquisition_campaigns_url"}
_PARTICIPANT = {
    "participation_date",
    "expire_date",
    "status",
    "acquisition_campaign.id",
    "acquisition_campaign.description",
    "acquisition_campaign.url",
    "acquisition_campaign.keyword",
} | {f"person.{f}" for f in _PERSON_REF}


def _under(prefix: str, fields: set[str]) -> set[str]:
    return {f"{prefix}.{f}" for f in fields}


#: The fields vibes-api.md §4 gives each callback type (dotted paths), envelope included.
DOCUMENTED = {
    "subscription_added": ENVELOPE | _under("subscription", _SUBSCRIPTION),
    "subscription_removed": ENVELOPE
    | _under("subscription", _SUBSCRIPTION | {"opt_out_date", "opt_out_reason"}),
    "person_added": ENVELOPE | _under("person", _PERSON),
    "person_updated": ENVELOPE | _under("person", _PERSON),
    "subscription_list_added": ENVELOPE | _under("subscription_list", _LIST),
    "subscription_list_updated": ENVELOPE | _under("subscription_list", _LIST),
    "ack_participant_added": ENVELOPE | _under("participant", _PARTICIPANT),
    "ack_participant_changed": ENVELOPE | _under("participant", _PARTICIPANT),
    # §4: event_processed {event_id, event_type, event_data, …}; the routing outcome's
    # action object is the one docs/vibes.md ("Texts of our own") cites and marks.
    "event_processed": ENVELOPE
    | _under("event_processed", {"event_id", "event_type", "event_data.mdn"})
    | _under("event_processed", {"event_data.code", "event_data.link"})
    | _under("event_processed", {"action.type", "action.status", "action.status_reason"}),
    "unmatched_message_received": ENVELOPE
    | {"participant.mdn", "participant.carrier_id", "message", "message_id", "txn_id"}
    | {"receipt_date"}
    | _under(
        "source_code",
        {"company_key", "code", "country_code", "code_type", "default_response", "response_sent"},
    ),
}

#: Fields the product knowingly does not read, and why.
_LINKS = {"url", "subscription_list.url", "acquisition_campaign.url", "person.url"}
IGNORED = {
    # Links into Vibes' API: the ids beside them are what the product keeps.
    "*": _LINKS | {f"subscription.{f}" for f in _LINKS} | {f"participant.{f}" for f in _LINKS},
    "subscription_list_added": {
        "subscription_list.subscribers_url",
        "subscription_list.acquisition_campaigns_url",
        "subscription_list.url",
    },
    "subscription_list_updated": {
        "subscription_list.subscribers_url",
        "subscription_list.acquisition_campaigns_url",
        "subscription_list.url",
    },
    "unmatched_message_received": {
        # Which code was texted changes nothing: every code is the account's, and a text
        # revokes consent for the number whatever it was sent to.
        "source_code.company_key",
        "source_code.code",
        "source_code.country_code",
        "source_code.code_type",
        # What Vibes answered the phone is Vibes' business, not a change here.
        "source_code.default_response",
        "source_code.response_sent",
        # The carrier of the sender is not the holder's carrier record: a text changes no
        # person's details.
        "participant.carrier_id",
        # The event is identified by its type and event_id (callbacks/parsing.py).
        "message_id",
        "txn_id",
    },
    "subscription_added": {
        # The same value as external_person_id, which is read first; an older payload
        # with external_id alone has it read (callbacks/handlers/base.py, identity_of).
        "subscription.person.external_id",
    },
    "subscription_removed": {"subscription.person.external_id"},
    "event_processed": {
        # Our own event_data, echoed back: the text is found by its event id alone, and
        # the code or link is withheld before the body is stored (callbacks/parsing.py).
        "event_processed.event_type",
        "event_processed.event_data.mdn",
        "event_processed.event_data.code",
        "event_processed.event_data.link",
    },
    "ack_participant_added": {
        # Neither what the campaign is called nor its keyword changes anything here.
        "participant.acquisition_campaign.description",
        "participant.acquisition_campaign.keyword",
    },
    "ack_participant_changed": {
        "participant.acquisition_campaign.description",
        "participant.acquisition_campaign.keyword",
    },
}


class Read(dict):
    """A JSON object that records which of its keys were asked for."""

    def __init__(self, *args):
        super().__init__(*args)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)

    def items(self):
        self.asked.update(self.keys())
        return super().items()


def fields(value, prefix="") -> set[str]:
    """Every field of a body, as dotted paths; an object's own keys end at custom_fields."""
    out = set()
    for key, inner in value.items():
        path = f"{prefix}{key}"
        if isinstance(inner, dict) and inner and key != "custom_fields":
            out |= fields(inner, f"{path}.")
        else:
            out.add(path)
    return out


def unread(value: Read, prefix="") -> set[str]:
    out = set()
    for key in dict.keys(value):
        path, inner = f"{prefix}{key}", dict.__getitem__(value, key)
        if key not in value.asked:
            out |= fields({key: inner}, prefix)
        elif isinstance(inner, Read) and inner and key != "custom_fields":
            out |= unread(inner, f"{path}.")
    return out


class Captured(Deliverer):
    """Keeps what the simulator would deliver, in order, instead of sending it."""

    def __init__(self):
        super().__init__()
        self.bodies: list[str] = []

    def enqueue(self, delivery):
        self.bodies.append(delivery.body().decode())


def a_days_callbacks() -> list[str]:
    sent = Captured()
    vibes = SimulatorState(company_key="acme", deliverer=sent)
    filters = {
        "subscription_added": {"list_id": "1234"},
        "subscription_removed": {"list_id": "1234"},
        "ack_participant_added": {"campaign_id": "2342312"},
        "ack_participant_changed": {"campaign_id": "2342312"},
        "unmatched_message_received": {
            "source_code": vibes.short_code,
            "country_code": vibes.country_code,
        },
        "event_processed": {},
    }
    for kind in sorted(CALLBACK_TYPES):
        vibes.callback_register(
            {
                "callback_type": kind,
                "destination": {"url": "http://x.test/"},
                **({kind: filters[kind]} if kind in filters else {}),
            }
        )
    vibes.custom_fields.add("first_name")
    vibes.list_upsert(list_id="1234", name="Weekly deals")
    vibes.list_upsert(list_id="1234", name="Weekly deals (SMS)")
    vibes.campaigns["2342312"] = SimCampaign(
        id="2342312", list_id="1234", description="Web sign-up", keyword="DEALS"
    )
    mdn = "+13125550123"
    vibes.participant_add("2342312", {"mobile_phone": {"mdn": mdn}, "external_person_id": "c-1"})
    vibes.reply(mdn=mdn, text="Y")
    vibes.person_update(vibes.person_by_mdn(mdn), {"custom_fields": {"first_name": "Ana"}})
    vibes.reply(mdn=mdn, text="REVOKE")
    vibes.reply(mdn=mdn, text="STOP")
    # A text of our own through the Event API: its outcome is event_processed.
    event = {"event_id": "ev-1", "event_type": "prefs_number_code"}
    vibes.event_post({**event, "event_data": {"mdn": mdn, "code": "482913"}}, size=120)
    return sent.bodies


def checked(body: str, monkeypatch) -> tuple[str, list[str]]:
    """Post ``body`` through the parser, apply it, and say what is wrong with it."""
    reading = SimpleNamespace(loads=lambda *a, **kw: json.loads(*a, object_hook=Read, **kw))
    monkeypatch.setattr(parsing, "json", reading)
    parsed = parse_event(body)  # the endpoint's reading, then the handler's
    monkeypatch.undo()
    kind, problems = parsed.callback_type, []
    stored = event_store(parsed=parse_event(body), body=body, mdn=mdn_of(person_of(parsed.payload)))
    stored.payload = parsed.payload
    HANDLERS[kind](stored)
    undocumented = fields(json.loads(body)) - DOCUMENTED[kind]
    if undocumented:
        problems.append(f"{kind} sends what vibes-api.md does not show: {sorted(undocumented)}")
    left = unread(parsed.payload) - IGNORED["*"] - IGNORED.get(kind, set())
    if left:
        problems.append(f"{kind}: the product reads none of {sorted(left)}")
    return kind, problems


def test_every_callback_the_simulator_sends_is_documented_and_read(monkeypatch):
    bodies = a_days_callbacks()
    # Staff named the campaign that feeds the list, as the ack callbacks need.
    services.subscription_list_upsert(list_id="1234", acquisition_campaign_id="2342312")
    # The text of our own whose outcome the day's event_processed reports.
    someone = services.person_create(source=Source.ADMIN, mdn="+13125550199")
    Text.objects.create(person=someone, kind=Text.Kind.NUMBER_CODE, event_id="ev-1")
    seen, problems = set(), []
    for body in bodies:
        kind, wrong = checked(body, monkeypatch)
        seen.add(kind)
        problems += wrong
    assert not problems, "\n".join(problems)
    assert seen == set(HANDLERS), f"not exercised: {sorted(set(HANDLERS) - seen)}"


def test_a_field_nobody_documents_or_reads_is_named(monkeypatch):
    [text] = [b for b in a_days_callbacks() if "unmatched_message_received" in b][:1]
    body = json.loads(text)
    body["participant"]["person"] = {"person_key": "p-1"}  # the shape only we once knew
    _kind, problems = checked(json.dumps(body), monkeypatch)
    assert problems == [
        "unmatched_message_received sends what vibes-api.md does not show: "
        "['participant.person.person_key']",
        "unmatched_message_received: the product reads none of ['participant.person.person_key']",
    ]
