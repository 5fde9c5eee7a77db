"""Acquisition campaign participants: the double opt-in's requests, and what a phone replies.

A mixin of ``SimulatorState``: it uses the state's lock, persons, campaigns and callbacks.
"""

from datetime import UTC, datetime, timedelta

from . import shapes
from .errors import ApiError
from .mdn import parse_mdn
from .records import SimParticipant, SimSubscription

PENDING_TTL = timedelta(hours=24)
# Vibes' system keywords (docs/vibes.md, "Callbacks"), each the whole text: Vibes acts on
# them itself and never forwards them as unmatched messages. The stop keywords of a US
# short code and the stop phrase "STOP ALL" opt the number out (``subscription_removed``);
# which other phrases Vibes counts is not published, so "Stop please" is no keyword and
# reaches the product as an unmatched message. HELP is answered by Vibes with no callback.
STOP_WORDS = {"STOP", "STOPALL", "STOP ALL", "END", "CANCEL", "UNSUBSCRIBE", "QUIT"}
HELP_WORDS = {"HELP", "INFO"}
# The opt-out reasons a carrier causes (docs/vibes.md, "Lists and subscriptions").
CARRIER_REASONS = {"disconnect", "failed_at_carrier", "obsolete_carrier"}


class ParticipantsMixin:
    def pending(self, *, mdn=None, campaign_id=None, person_key=None) -> list[SimParticipant]:
        with self.lock:
            now = datetime.now(UTC)
            out = []
            for p in self.participants:
                if p.status == "PENDING" and p.expire_date <= now:
                    p.status = "EXPIRED"  # a pending request expires silently
                if p.status != "PENDING":
                    continue
                if mdn and p.mdn != mdn or campaign_id and p.campaign_id != str(campaign_id):
                    continue
                if person_key and p.person_key != person_key:
                    continue
                out.append(p)
            return out

    def participant_add(self, campaign_id: str, body: dict, *, version: int = 2):
        shapes.participant(body)
        with self.lock:
            campaign = self.campaign(campaign_id)
            mdn, person = self._participant_number(body, version=version)
            if mdn in self.landlines:
                raise ApiError(422, "The number does not map to a provisioned carrier", 4222)
            self._check_custom_fields(body.get("custom_fields"))
            if (mdn, campaign.id) in self.blocks:
                raise ApiError(
                    422,
                    "MDNHASCONFIRMATIONBLOCK: this number replied No to the campaign",
                    "MDNHASCONFIRMATIONBLOCK",
                )
            ext = body.get("external_person_id")
            ext_owner = self._by_external(ext)
            mismatch = ext and (
                (ext_owner is not None and ext_owner is not person)
                or (person is not None and person.external_person_id not in (None, ext))
            )
            if mismatch:
                raise ApiError(
                    422,
                    "EXTERNALPERSONIDMISMATCH: the external_person_id is used by another person",
                    "EXTERNALPERSONIDMISMATCH",
                )
            if person and self.active_subscription(person.person_key, campaign.list_id):
                raise ApiError(409, "Already subscribed to the subscription list", 4094)
            if person and self.pending(mdn=mdn, campaign_id=campaign.id):
                return 200, self.pending(mdn=mdn, campaign_id=campaign.id)[0], person
            if person is None:
                person = self._new_person(mdn=mdn, external_person_id=ext)
                person.custom_fields.update(body.get("custom_fields") or {})
                self._emit_person("person_added", person)
            else:
                extra = {k: body[k] for k in ("external_person_id", "custom_fields") if k in body}
                if extra:
                    self.person_update(person, extra, version=version)
            now = self.now()
            participant = SimParticipant(
                campaign_id=campaign.id,
                person_key=person.person_key,
                mdn=mdn,
                participation_date=now,
                expire_date=now + PENDING_TTL,
                status="PENDING" if campaign.double_opt_in else "SUBSCRIBED",
            )
            self.participants.append(participant)
            if campaign.double_opt_in:
                self._emit_participant("ack_participant_added", participant)
            else:
                self.subscribe(person, campaign.list_id, campaign_id=campaign.id)
            return 201, participant, person

    def _participant_number(self, body: dict, *, version: int):
        """The number to text and its person (None: a new one). The request names the
        person by number, or by ``person_id`` or ``external_person_id`` alone (the
        excerpt's addParticipantRequest): that person must exist and have a number."""
        if body.get("mobile_phone") is not None:
            mdn = parse_mdn(body["mobile_phone"].get("mdn"), version=version)
            return mdn, self.person_by_mdn(mdn)
        if body.get("person_id") is not None:
            person = self.person_by_id(body["person_id"])
        elif body.get("external_person_id") is not None:
            person = self._by_external(body["external_person_id"])
        else:
            raise ApiError(
                400, "mobile_phone.mdn, person_id or external_person_id is required", 4009
            )
        if person is None:
            raise ApiError(404, "No person with that person_id or external_person_id", 4049)
        if person.mdn is None:
            raise ApiError(422, "The person has no mobile number to text", 4223)
        return person.mdn, person

    def reply(self, *, mdn: str, text: str, campaign_id=None, list_id=None, reason=None) -> list:
        """The person at ``mdn`` texts ``text``: Y / YES and NO / N answer the latest
        confirmation, a stop keyword ends subscriptions (never an unmatched message), HELP
        gets Vibes' answer and no callback, and any other text is an unmatched message
        (``unmatched_message_received``), as at Vibes when no keyword matches."""
        word = " ".join(text.split()).upper()
        with self.lock:
            if word in HELP_WORDS:
                return []
            if word in {"Y", "YES", "NO", "N"}:
                pending = self.pending(mdn=mdn, campaign_id=campaign_id)
                if not pending:
                    raise ApiError(404, "No pending participant for that number", 4042)
                participant = pending[-1]  # the reply answers the latest confirmation text
                person = self.persons[participant.person_key]
                campaign = self.campaigns[participant.campaign_id]
                if word in {"Y", "YES"}:
                    participant.status = "CONFIRMED"
                    self._emit_participant("ack_participant_changed", participant)
                    self.subscribe(person, campaign.list_id, campaign_id=campaign.id)
                else:
                    participant.status = "REJECTED"
                    self.blocks.add((mdn, campaign.id))
                    self._emit_participant("ack_participant_changed", participant)
                return [participant]
            if word in STOP_WORDS:
                person = self.person_by_mdn(mdn)
                subs = self.subscriptions_of(person.person_key) if person else []
                if list_id is not None:
                    subs = [s for s in subs if s.list_id == str(list_id)]
                if not subs:
                    raise ApiError(404, "That number is not subscribed", 4043)
                default = "keyword_opt_out" if list_id is not None else "user_opt_out"
                return [self.unsubscribe(person, s.list_id, reason=reason or default) for s in subs]
            return [self.message_unmatched(mdn=mdn, text=text)]

    def carrier_opt_out(self, *, mdn: str, reason: str) -> list[SimSubscription]:
        """The carrier ends the number (``disconnect``, ``failed_at_carrier``,
        ``obsolete_carrier``): every open subscription ends with that reason, one
        ``subscription_removed`` each."""
        if reason not in CARRIER_REASONS:
            raise ApiError(400, f"reason must be one of {', '.join(sorted(CARRIER_REASONS))}", 4016)
        with self.lock:
            person = self.person_by_mdn(mdn)
            subs = self.subscriptions_of(person.person_key) if person else []
            if not subs:
                raise ApiError(404, "That number is not subscribed", 4043)
            return [self.unsubscribe(person, s.list_id, reason=reason) for s in subs]
