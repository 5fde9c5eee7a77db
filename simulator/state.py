"""The simulator's memory: persons, lists, campaigns, subscriptions, participants, callbacks.

Every public method takes the one lock, so the HTTP threads, the control API and a test
calling it directly see one consistent Vibes. Methods raise ``ApiError`` exactly where
Vibes answers an error (docs/vibes.md, "Persons" and "Lists and subscriptions"); they emit
callbacks through ``emit``.
"""

import copy
import itertools
import threading
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta

from . import shapes
from .delivery import Deliverer
from .errors import ApiError
from .hooks import CallbacksMixin
from .mdn import parse_mdn
from .participants import ParticipantsMixin
from .records import (
    DEFAULT_CARRIER,
    SimCallback,
    SimCampaign,
    SimList,
    SimParticipant,
    SimPerson,
    SimSubscription,
)
from .texts import TextsMixin

LOG_SIZE = 10_000
SHORT_CODE = "12345"  # the code the account's texts come from, and phones text to
DEFAULT_RESPONSE = "Thanks for your message. Reply HELP for help, STOP to opt out."
COUNTRY_CODE = "1"


# What a restart of the simulator keeps (``snapshot``): the account, not its logs.
PERSISTED = (
    "persons",
    "lists",
    "campaigns",
    "subscriptions",
    "participants",
    "callbacks",
    "blocks",
    "custom_fields",
    "landlines",
)


class SimulatorState(ParticipantsMixin, CallbacksMixin, TextsMixin):
    def __init__(self, *, company_key: str = "demo-company", deliverer: Deliverer | None = None):
        self.company_key = company_key
        self.lock = threading.RLock()
        self.deliverer = deliverer or Deliverer()
        self.custom_fields: set[str] = set()
        self.landlines: set[str] = set()
        self.callback_limit: int | None = None  # registrations Vibes accepts (server sets 50)
        self.short_code = SHORT_CODE
        self.country_code = COUNTRY_CODE  # the short code's country
        # What the code answers a text that matches no keyword (its "default response").
        self.default_response = DEFAULT_RESPONSE
        # The company key that owns the short code; unmatched messages are registered with
        # it (docs/vibes.md, "Callback registrations"). The same key unless set apart.
        self.parent_company_key = company_key
        self.registered_with_body = True  # a new callback registration's 201 has a body
        # Logs, bounded so a long benchmark run cannot grow them without end.
        self.events: deque[dict] = deque(maxlen=LOG_SIZE)  # every event, registered or not
        self.requests: deque[dict] = deque(maxlen=LOG_SIZE)  # API requests: method, path, status
        self._ids = itertools.count(900001)
        self._clock = datetime(2000, 1, 1, tzinfo=UTC)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.persons: dict[str, SimPerson] = {}
            self.lists: dict[str, SimList] = {}
            self.campaigns: dict[str, SimCampaign] = {}
            self.subscriptions: list[SimSubscription] = []
            self.participants: list[SimParticipant] = []
            self.callbacks: dict[str, SimCallback] = {}
            self.blocks: set[tuple[str, str]] = set()  # (mdn, campaign_id): replied "No"
            self.custom_fields.clear()
            self.landlines.clear()
            self.events.clear()
            self.requests.clear()
            self.texts_reset()
            self.deliverer.reset()

    # -- keeping it across restarts ---------------------------------------------------
    def snapshot(self) -> dict:
        """The account's state (not the logs), for ``restore`` after a restart."""
        with self.lock:
            data = {name: copy.deepcopy(getattr(self, name)) for name in PERSISTED}
            data["next_id"] = next(self._ids)
            self._ids = itertools.count(data["next_id"])
            data["clock"] = self._clock
            return data

    def restore(self, data: dict) -> None:
        with self.lock:
            for name in PERSISTED:
                setattr(self, name, data[name])
            self._ids = itertools.count(data["next_id"])
            self._clock = data["clock"]

    # -- time and ids -----------------------------------------------------------------
    def now(self) -> datetime:
        """Strictly increasing: two events never share an ``event_date``."""
        with self.lock:
            now = datetime.now(UTC)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            if now <= self._clock:
                now = self._clock + timedelta(milliseconds=1)
            self._clock = now
            return now

    def _new_person(self, *, mdn=None, external_person_id=None, person_key=None, person_id=None):
        now = self.now()
        person = SimPerson(
            person_key=person_key or uuid.uuid4().hex,
            person_id=person_id or str(next(self._ids)),
            external_person_id=external_person_id,
            mdn=mdn,
            carrier_code=DEFAULT_CARRIER if mdn else None,
            created_at=now,
            updated_at=now,
        )
        self.persons[person.person_key] = person
        return person

    # -- look-ups ---------------------------------------------------------------------
    def person(self, person_key: str) -> SimPerson:
        with self.lock:
            person = self.persons.get(str(person_key))
            if person is None:
                raise ApiError(404)
            return person

    def person_by_external(self, external_person_id: str) -> SimPerson:
        with self.lock:
            person = self._by_external(external_person_id)
            if person is None:
                raise ApiError(404)
            return person

    def person_by_mdn(self, mdn: str | None) -> SimPerson | None:
        with self.lock:
            return next((p for p in self.persons.values() if mdn and p.mdn == mdn), None)

    def person_by_id(self, person_id: str) -> SimPerson | None:
        with self.lock:
            return next((p for p in self.persons.values() if p.person_id == str(person_id)), None)

    def _by_external(self, external_person_id) -> SimPerson | None:
        if not external_person_id:
            return None
        return next(
            (p for p in self.persons.values() if p.external_person_id == external_person_id),
            None,
        )

    def sub_list(self, list_id: str) -> SimList:
        with self.lock:
            found = self.lists.get(str(list_id))
            if found is None:
                raise ApiError(404, "Subscription list not found", 4040)
            return found

    def campaign(self, campaign_id: str) -> SimCampaign:
        with self.lock:
            found = self.campaigns.get(str(campaign_id))
            if found is None:
                raise ApiError(404, "Acquisition campaign not found", 4041)
            return found

    def active_subscription(self, person_key: str, list_id: str) -> SimSubscription | None:
        with self.lock:
            return next(
                (
                    s
                    for s in self.subscriptions
                    if s.person_key == person_key and s.list_id == str(list_id) and s.active
                ),
                None,
            )

    def subscriptions_of(self, person_key: str, *, active_only: bool = True) -> list:
        with self.lock:
            return [
                s
                for s in self.subscriptions
                if s.person_key == person_key and (s.active or not active_only)
            ]

    # -- persons ----------------------------------------------------------------------
    def _check_custom_fields(self, fields) -> None:
        if shapes.custom_fields(fields) is None:
            return
        unknown = sorted(set(fields) - self.custom_fields)
        if unknown:
            raise ApiError(422, f"Unknown custom fields: {', '.join(unknown)}", 4220)

    def _apply(self, person: SimPerson, body: dict, *, version: int) -> bool:
        """Apply a partial person body: fields left out stay, ``null`` removes."""
        before = person.to_api(self.company_key)
        if "custom_fields" in body:
            fields = body["custom_fields"]
            self._check_custom_fields(fields)
            if fields is None:
                person.custom_fields = {}
            else:
                for key, value in fields.items():
                    if value is None:
                        person.custom_fields.pop(key, None)
                    else:
                        person.custom_fields[key] = value
        if "external_person_id" in body:
            ext = body["external_person_id"]
            if ext is not None:
                ext = str(ext)
                if len(ext) > 128:
                    raise ApiError(422, "external_person_id is longer than 128 characters", 4221)
                owner = self._by_external(ext)
                if owner is not None and owner is not person:
                    raise ApiError(409, "external_person_id belongs to another person", 4091)
            person.external_person_id = ext
        if "mobile_phone" in body:
            phone = body["mobile_phone"]
            if phone is None:
                phone = {"mdn": None, "carrier_code": None}
            if not isinstance(phone, dict):
                raise ApiError(400, "mobile_phone must be an object", 4003)
            if "mdn" in phone:
                if phone["mdn"] is None:
                    person.mdn = None
                else:
                    mdn = parse_mdn(phone["mdn"], version=version)
                    if person.mdn and mdn != person.mdn:
                        raise ApiError(409)  # "409 - MDN cannot be changed", no body
                    owner = self.person_by_mdn(mdn)
                    if owner is not None and owner is not person:
                        raise ApiError(409, "The MDN belongs to another person", 4092)
                    person.mdn = mdn
                    person.carrier_code = person.carrier_code or DEFAULT_CARRIER
            if "carrier_code" in phone:
                person.carrier_code = phone["carrier_code"]
        if "timezone" in body:
            person.timezone = body["timezone"]
        changed = person.to_api(self.company_key) != before
        if changed:
            person.updated_at = self.now()
        return changed

    def person_add(self, body: dict, *, version: int = 2) -> tuple[int, SimPerson]:
        """Add a person: 201 new, 200 merged by number or external id, 409 conflicts."""
        shapes.person(body)
        with self.lock:
            self._check_custom_fields(body.get("custom_fields"))
            phone = body.get("mobile_phone") or {}
            mdn = parse_mdn(phone["mdn"], version=version) if phone.get("mdn") else None
            ext = body.get("external_person_id")
            by_mdn, by_ext = self.person_by_mdn(mdn), self._by_external(ext)
            if by_mdn and by_ext and by_mdn is not by_ext:
                raise ApiError(409, "The MDN belongs to another person record", 4093)
            target = by_mdn or by_ext
            if target is not None:
                if mdn and target.mdn and target.mdn != mdn:
                    raise ApiError(409, "The MDN belongs to another person record", 4093)
                self._apply_all_or_nothing(target, body, version=version)
                self._emit_person("person_updated", target)  # even when nothing changed
                return 200, target
            person = self._new_person(mdn=mdn, external_person_id=None)
            try:
                self._apply(person, body, version=version)
            except ApiError:
                del self.persons[person.person_key]
                raise
            self._emit_person("person_added", person)
            return 201, person

    def _apply_all_or_nothing(self, person: SimPerson, body: dict, *, version: int) -> bool:
        snapshot = SimPerson(**{**person.__dict__, "custom_fields": dict(person.custom_fields)})
        try:
            return self._apply(person, body, version=version)
        except ApiError:
            person.__dict__.update(snapshot.__dict__)
            raise

    def person_update(self, person: SimPerson, body: dict, *, version: int = 2) -> SimPerson:
        shapes.person(body)
        with self.lock:
            changed = self._apply_all_or_nothing(person, body, version=version)
            if changed:
                self._emit_person("person_updated", person)
            return person

    def person_put_external(self, ext: str, body: dict, *, version: int = 2):
        """``PUT …/persons/external/{id}``: update, or add when nobody has that id."""
        with self.lock:
            person = self._by_external(ext)
            if person is not None:
                return 200, self.person_update(person, body, version=version)
            return self.person_add({**body, "external_person_id": ext}, version=version)

    # -- subscriptions ----------------------------------------------------------------
    def subscribe(self, person: SimPerson, list_id: str, *, campaign_id=None) -> SimSubscription:
        with self.lock:
            existing = self.active_subscription(person.person_key, list_id)
            if existing:
                return existing
            sub = SimSubscription(
                person_key=person.person_key,
                list_id=str(list_id),
                opt_in_date=self.now(),
                acquisition_campaign_id=campaign_id,
            )
            self.subscriptions.append(sub)  # a re-subscription is a new record
            self._emit_subscription("subscription_added", sub)
            return sub

    def unsubscribe(self, person: SimPerson, list_id: str, *, reason: str) -> SimSubscription:
        with self.lock:
            sub = self.active_subscription(person.person_key, list_id)
            if sub is None:
                raise ApiError(404)  # unknown person or not subscribed: no body
            sub.opt_out_date = self.now()
            sub.opt_out_reason = reason
            self._emit_subscription("subscription_removed", sub)
            return sub

    # -- lists ------------------------------------------------------------------------
    def list_upsert(self, *, list_id: str, name: str) -> SimList:
        with self.lock:
            existing = self.lists.get(str(list_id))
            if existing:
                existing.name = name
                kind = "subscription_list_updated"
            else:
                existing = self.lists[str(list_id)] = SimList(id=str(list_id), name=name)
                kind = "subscription_list_added"
            self.emit(kind, {"subscription_list": existing.to_api(self.company_key)}, {})
            return existing
