"""The simulator's records and their JSON shapes (vibes-openapi-excerpt.json).

Paths in ``url`` fields are relative, like the examples in Vibes' own documents
(``/companies/:id/mobiledb/persons/ABC123``).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

API_DATE = "%Y-%m-%dT%H:%M:%SZ"
DEFAULT_CARRIER = "104"  # the carrier of a number nobody says otherwise about


def api_date(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(API_DATE) if value else None


def event_date(value: datetime) -> str:
    """Callback ``event_date``: milliseconds, one of the forms Vibes sends."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def v1_mdn(mdn: str | None) -> str | None:
    """API version 1 shows North American numbers without the country code."""
    if mdn and mdn.startswith("+1") and len(mdn) == 12:
        return mdn[2:]
    return mdn


@dataclass
class SimPerson:
    person_key: str
    person_id: str
    external_person_id: str | None = None
    mdn: str | None = None
    carrier_code: str | None = None
    custom_fields: dict = field(default_factory=dict)
    timezone: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def url(self, ck: str) -> str:
        return f"/companies/{ck}/mobiledb/persons/{self.person_key}"

    def to_api(self, ck: str, *, version: int = 2) -> dict:
        body = {
            "person_key": self.person_key,
            "person_id": self.person_id,
            "external_person_id": self.external_person_id,
            "mobile_phone": {
                "mdn": v1_mdn(self.mdn) if version == 1 else self.mdn,
                "carrier_code": self.carrier_code,
            },
            "custom_fields": dict(self.custom_fields),
            "created_at": api_date(self.created_at),
            "updated_at": api_date(self.updated_at),
            "url": self.url(ck),
        }
        if self.timezone:
            body["timezone"] = self.timezone
        return body

    def ref(self, ck: str) -> dict:
        """The ``person`` object inside subscription callbacks (newer form)."""
        return {
            "id": self.person_id,
            "person_key": self.person_key,
            "external_id": self.external_person_id,
            "external_person_id": self.external_person_id,
            "mobile_phone": {"mdn": self.mdn},
            "url": self.url(ck),
        }


@dataclass
class SimList:
    id: str
    name: str

    def to_api(self, ck: str) -> dict:
        base = f"/companies/{ck}/mobiledb/subscription_lists/{self.id}"
        return {
            "id": self.id,
            "name": self.name,
            "url": base,
            "subscribers_url": f"{base}/subscribers",
            "acquisition_campaigns_url": f"{base}/acquisition_campaigns",
        }

    def ref(self, ck: str) -> dict:
        return {"id": self.id, "url": f"/companies/{ck}/mobiledb/subscription_lists/{self.id}"}


@dataclass
class SimCampaign:
    id: str
    list_id: str
    description: str = ""
    keyword: str = ""
    double_opt_in: bool = True
    created_at: datetime | None = None

    def url(self, ck: str) -> str:
        return f"/companies/{ck}/campaigns/acquisition/{self.id}"

    def to_api(self, ck: str) -> dict:
        return {
            "acquisition_id": self.id,
            "description": self.description,
            "campaign_type": {"code": "acquisition"},
            "status": "active",  # the excerpt: scheduled, active, deleted, past; lower case
            "start_date": api_date(self.created_at),
            "end_date": None,
            "created_date": api_date(self.created_at),
            "updated_date": api_date(self.created_at),
            "acquisition_campaign": {"keywords": [self.keyword] if self.keyword else []},
            "url": self.url(ck),
        }

    def ref(self, ck: str) -> dict:
        return {
            "id": self.id,
            "description": self.description,
            "url": self.url(ck),
            "keyword": self.keyword,
        }


@dataclass
class SimSubscription:
    person_key: str
    list_id: str
    opt_in_date: datetime
    acquisition_campaign_id: str | None = None
    opt_out_date: datetime | None = None
    opt_out_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.opt_out_date is None

    def to_api(self, ck: str, person: SimPerson, sub_list: SimList) -> dict:
        body = {
            "person": {"id": person.person_id, "url": person.url(ck)},
            "subscription_list": sub_list.ref(ck),
            "opt_in_date": api_date(self.opt_in_date),
            "url": f"{person.url(ck)}/subscriptions/{self.list_id}",
        }
        if self.opt_out_date:
            body["opt_out_date"] = api_date(self.opt_out_date)
            body["opt_out_reason"] = self.opt_out_reason
        return body

    def to_callback(self, ck: str, person: SimPerson, sub_list: SimList) -> dict:
        body = self.to_api(ck, person, sub_list)
        body["person"] = person.ref(ck)
        if self.acquisition_campaign_id:
            body["acquisition_campaign"] = {
                "id": self.acquisition_campaign_id,
                "url": f"/companies/{ck}/campaigns/acquisition/{self.acquisition_campaign_id}",
            }
        return body


@dataclass
class SimParticipant:
    campaign_id: str
    person_key: str
    mdn: str
    participation_date: datetime
    expire_date: datetime
    status: str = "PENDING"  # PENDING, CONFIRMED, REJECTED, EXPIRED, SUBSCRIBED

    def to_api(self, ck: str, person: SimPerson) -> dict:
        return {
            "person": {
                "person_id": person.person_id,
                "person_key": person.person_key,
                "url": person.url(ck),
            },
            "participation_date": api_date(self.participation_date),
            "expire_date": api_date(self.expire_date),
            "status": self.status,
        }

    def to_callback(self, ck: str, person: SimPerson, campaign: SimCampaign) -> dict:
        return {
            "person": {
                "id": person.person_id,
                "external_id": person.external_person_id,
                "mobile_phone": {"mdn": self.mdn},
                "url": person.url(ck),
            },
            "acquisition_campaign": campaign.ref(ck),
            "participation_date": api_date(self.participation_date),
            "expire_date": api_date(self.expire_date),
            "status": self.status,
        }


# What picks the events a registration receives; other keys of a filter object (such as
# event_processed's ``callbacks_to_send``) are kept and echoed, not matched.
ROUTING_KEYS = ("list_id", "campaign_id", "source_code", "country_code", "event_type")


@dataclass
class SimCallback:
    """A callback registration (``/config/callbacks``)."""

    callback_id: str
    callback_type: str
    url: str
    method: str = "POST"
    content_type: str = "application/json"
    filter: dict = field(default_factory=dict)  # the type's filter object, as sent
    start_date: str | None = None
    end_date: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    api_version: int = 2  # the X-API-Version it was registered with
    company_key: str = ""  # the key it was registered with ("": the account's own)

    def matches(self, callback_type: str, scope: dict) -> bool:
        if callback_type != self.callback_type:
            return False
        wanted = {k: v for k, v in self.filter.items() if k in ROUTING_KEYS and v not in (None, "")}
        return all(str(scope.get(k)) == str(v) for k, v in wanted.items())

    def to_api(self, ck: str) -> dict:
        body = {
            "callback_id": self.callback_id,
            "callback_type": self.callback_type,
            "destination": {
                "url": self.url,
                "method": self.method,
                "content_type": self.content_type,
            },
            "start_date": self.start_date,
            "end_date": self.end_date,
            "url": f"/companies/{ck}/config/callbacks/{self.callback_id}",
            "created_date": api_date(self.created_at),
            "updated_date": api_date(self.updated_at),
        }
        if self.filter:
            body[self.callback_type] = dict(self.filter)
        return body
