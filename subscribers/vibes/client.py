"""A small client for the parts of the Vibes API this service uses.

One ``requests.Session`` per client: HTTP Basic auth, ``X-API-Version: 2`` (version 1
rejects E.164 numbers), JSON both ways, connect and read timeouts, and one shared rate
limit. Query strings are encoded by hand so a ``+`` always travels as ``%2B``. Answers
that are not a success become the typed errors of ``.errors``. Numbers never appear
whole in the log lines.
"""

import logging
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

from ..phone import mask
from . import errors
from .ratelimit import EVENTS, RateLimit, shared_rate_limit

log = logging.getLogger(__name__)
# urllib3 logs every URL at DEBUG, query string and numbers included: keep it above that.
if logging.getLogger("urllib3.connectionpool").level == logging.NOTSET:
    logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

USER_AGENT = "vibes-preference-center/0.1 (+python-requests)"
_NUMBER = re.compile(r"(?:\+|%2B)\d{6,15}")


def _mask_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: mask("+" + m.group(0).lstrip("+").removeprefix("%2B")), text)


def _q(value) -> str:
    return quote(str(value), safe="")


@dataclass(frozen=True)
class Response:
    status: int
    data: Any
    duration_ms: int


@dataclass(frozen=True)
class ParticipantResult:
    """What Add Participant answered: ``status`` upper-cased (PENDING, SUBSCRIBED…)."""

    http_status: int
    status: str
    person_key: str | None = None
    person_id: str | None = None
    raw: dict = field(default_factory=dict)

    @property
    def subscribed(self) -> bool:
        return self.status in {"SUBSCRIBED", "CONFIRMED", "ACTIVE"}


class VibesClient:
    def __init__(
        self,
        *,
        base_url: str,
        company_key: str,
        username: str,
        password: str,
        timeout: tuple[float, float] = (3.05, 10.0),
        rate_limit: RateLimit | None = None,
        event_rate_limit: RateLimit | None = None,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.company_key = company_key
        self.timeout = timeout
        self.rate_limit = rate_limit
        #: The Event API's own budget (docs/vibes.md, "Texts of our own"); else the API's.
        self.event_rate_limit = event_rate_limit or rate_limit
        self.session = session or requests.Session()
        self.session.auth = (username, password)
        self.session.headers.update(
            {
                "Accept": "application/json",
                "Content-Type": "application/json",
                "X-API-Version": "2",
                "User-Agent": USER_AGENT,
            }
        )
        #: Observers called with (method, path, payload, Response or None, error, ms).
        self.observers: list = []
        self._local = threading.local()

    @classmethod
    def from_settings(cls, **overrides) -> "VibesClient":
        kwargs = {
            "base_url": settings.VIBES_API_URL,
            "company_key": settings.VIBES_COMPANY_KEY,
            "username": settings.VIBES_USERNAME,
            "password": settings.VIBES_PASSWORD,
            "timeout": tuple(settings.VIBES_TIMEOUT),
            "rate_limit": shared_rate_limit(),
            "event_rate_limit": shared_rate_limit(EVENTS),
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    @classmethod
    def shared(cls) -> "VibesClient":
        """One client (and its keep-alive connections) per process and configuration."""
        key = (
            settings.VIBES_API_URL,
            settings.VIBES_COMPANY_KEY,
            settings.VIBES_USERNAME,
            settings.VIBES_PASSWORD,
            tuple(settings.VIBES_TIMEOUT),
        )
        with _shared_lock:
            client = _shared_clients.get(key)
            if client is None or client.rate_limit is not shared_rate_limit():
                client = _shared_clients[key] = cls.from_settings()
            return client

    @contextmanager
    def observing(self, observer):
        """Call ``observer`` for each request this thread makes inside the block."""
        extra = getattr(self._local, "observers", [])
        self._local.observers = [*extra, observer]
        try:
            yield self
        finally:
            self._local.observers = extra

    # --- transport -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        conflict: type[errors.Conflict] = errors.Conflict,
        rate_limit: RateLimit | None = None,
    ) -> Response:
        """Send one request under the rate limit (``rate_limit``, else the API's); return
        a 2xx answer or raise."""
        rate_limit = rate_limit or self.rate_limit
        url = f"{self.base_url}/companies/{_q(self.company_key)}{path}"
        if params:
            url += "?" + "&".join(f"{_q(k)}={_q(v)}" for k, v in params.items() if v is not None)
        if rate_limit is not None:
            rate_limit.acquire()
        started = time.monotonic()
        shown = _mask_numbers(url.removeprefix(self.base_url))
        try:
            answer = self.session.request(method, url, json=json, timeout=self.timeout)
        except requests.Timeout as exc:
            error = errors.Transient(f"timeout: {exc.__class__.__name__}")
            self._notify(method, path, json, None, error, started)
            raise error from exc
        except requests.RequestException as exc:
            error = errors.Transient(f"connection failed: {exc.__class__.__name__}")
            self._notify(method, path, json, None, error, started)
            raise error from exc
        duration_ms = int((time.monotonic() - started) * 1000)
        log.info("vibes %s %s -> %s in %dms", method, shown, answer.status_code, duration_ms)
        if 200 <= answer.status_code < 300:
            data = None
            if answer.content and answer.content.strip():
                try:
                    data = answer.json()
                except ValueError:
                    data = None
            response = Response(answer.status_code, data, duration_ms)
            self._notify(method, path, json, response, None, started)
            return response
        error = self._error_for(answer, conflict)
        if isinstance(error, errors.RateLimited) and rate_limit is not None:
            rate_limit.slow_down(error.retry_after)
        self._notify(
            method, path, json, Response(answer.status_code, None, duration_ms), error, started
        )
        raise error

    def _error_for(self, answer: requests.Response, conflict) -> errors.VibesError:
        status = answer.status_code
        message, code = errors.parse_error_body(answer.text)
        kwargs = {"status": status, "code": code, "body": _mask_numbers(answer.text[:2000])}
        message = _mask_numbers(message)
        if status == 429:
            retry_after = errors.parse_retry_after(answer.headers.get("Retry-After"))
            return errors.RateLimited(message or "rate limited", retry_after=retry_after, **kwargs)
        if status >= 500 or status in (408, 502, 503, 504):
            return errors.Transient(message or "Vibes is unavailable", **kwargs)
        if status in (401, 403):
            return errors.CredentialsRefused(message or "credentials refused", **kwargs)
        if status == 404:
            return errors.NotFound(message or "not found", **kwargs)
        if status == 409:
            return _conflict_type(message, conflict)(message or conflict.reason, **kwargs)
        if status == 422:
            if "MDNHASCONFIRMATIONBLOCK" in f"{code} {message}".upper():
                return errors.ConfirmationBlocked(message or "confirmation block", **kwargs)
            return errors.Unprocessable(message or "unprocessable", **kwargs)
        if status == 400:
            return errors.BadRequest(message or "bad request", **kwargs)
        return errors.VibesError(message or answer.reason or "error", **kwargs)

    def _notify(self, method, path, payload, response, error, started):
        ms = int((time.monotonic() - started) * 1000)
        if error is not None and response is None:
            log.warning("vibes %s %s failed after %dms: %s", method, _mask_numbers(path), ms, error)
        for observer in [*self.observers, *getattr(self._local, "observers", [])]:
            observer(method, _mask_numbers(path), payload, response, error, ms)

    # --- persons ---------------------------------------------------------------------

    def _get_list(self, path: str, params: dict | None = None) -> list[dict]:
        """A GET whose answer is a JSON array; anything else reads as an empty one."""
        data = self.request("GET", path, params=params).data
        return data if isinstance(data, list) else []

    def get_person(self, person_key: str) -> dict:
        return self.request("GET", f"/mobiledb/persons/{_q(person_key)}").data

    def get_person_by_external_id(self, external_person_id: str) -> dict:
        return self.request("GET", f"/mobiledb/persons/external/{_q(external_person_id)}").data

    def find_person_by_mdn(self, mdn: str) -> dict:
        """The person holding ``mdn``. Some clients say Vibes answers a list: take its first."""
        data = self.request("GET", "/mobiledb/persons", params={"mdn": mdn}).data
        if isinstance(data, list):
            if not data:
                raise errors.NotFound("no person with that number", status=404)
            return data[0]
        return data

    def add_person(self, payload: dict) -> tuple[dict, bool]:
        """Add a person; Vibes merges into an existing one by number. Returns (person,
        created): 201 is a new person, 200 a merge."""
        answer = self.request(
            "POST", "/mobiledb/persons", json=payload, conflict=errors.MdnBelongsToAnotherPerson
        )
        return answer.data or {}, answer.status == 201

    def update_person(
        self, payload: dict, *, person_key: str | None = None, external_person_id: str | None = None
    ) -> dict:
        """Partial update by person_key, or add-or-update by external id."""
        if person_key:
            path = f"/mobiledb/persons/{_q(person_key)}"
        elif external_person_id:
            path = f"/mobiledb/persons/external/{_q(external_person_id)}"
        else:
            raise ValueError("update_person needs a person_key or an external_person_id")
        return self.request("PUT", path, json=payload, conflict=errors.MdnCannotChange).data or {}

    # --- subscriptions ---------------------------------------------------------------

    def get_subscriptions(self, person_key: str, *, active_only: bool = False) -> list[dict]:
        params = None if active_only else {"active_only": "false"}
        return self._get_list(f"/mobiledb/persons/{_q(person_key)}/subscriptions", params)

    def unsubscribe(
        self, list_id: str, *, person_key: str | None = None, external_person_id: str | None = None
    ) -> None:
        """End a subscription. Raises NotFound when the person is unknown or not subscribed
        (callers count that as done)."""
        if person_key:
            base = f"/mobiledb/persons/{_q(person_key)}"
        elif external_person_id:
            base = f"/mobiledb/persons/external/{_q(external_person_id)}"
        else:
            raise ValueError("unsubscribe needs a person_key or an external_person_id")
        self.request("DELETE", f"{base}/subscriptions/{_q(list_id)}")

    def add_participant(self, campaign_id: str, payload: dict) -> ParticipantResult:
        """Ask to subscribe someone through an acquisition campaign.

        201 PENDING: a confirmation text went out; 201 SUBSCRIBED: single opt-in; 200: a
        confirmation was already pending. 409 raises AlreadySubscribed, 422
        MDNHASCONFIRMATIONBLOCK raises ConfirmationBlocked.
        """
        answer = self.request(
            "POST",
            f"/campaigns/acquisition/{_q(campaign_id)}/participants",
            json=payload,
            conflict=errors.AlreadySubscribed,
        )
        data = answer.data if isinstance(answer.data, dict) else {}
        person = data.get("person") if isinstance(data.get("person"), dict) else {}
        status = str(data.get("status") or ("PENDING" if answer.status == 200 else "")).upper()
        return ParticipantResult(
            http_status=answer.status,
            status=status,
            person_key=person.get("person_key") or None,
            person_id=str(person["person_id"]) if person.get("person_id") else None,
            raw=data,
        )

    def pending_participants(self, campaign_id: str, mdn: str) -> list[dict]:
        """The confirmations still waiting for ``mdn``'s reply on a campaign."""
        return self._get_list(
            f"/campaigns/acquisition/{_q(campaign_id)}/participants", {"mdn": mdn}
        )

    # --- lists -----------------------------------------------------------------------

    def get_lists(self) -> list[dict]:
        return self._get_list("/mobiledb/subscription_lists")

    def get_list_campaigns(self, list_id: str) -> list[dict]:
        return self._get_list(f"/mobiledb/subscription_lists/{_q(list_id)}/acquisition_campaigns")

    # --- callbacks -------------------------------------------------------------------

    def list_callbacks(self) -> list[dict]:
        return self._get_list("/config/callbacks")

    def register_callback(self, payload: dict) -> dict:
        """Register a callback; the registration Vibes made, with its ``callback_id``. A
        201 without a body (or without the id) is answered by listing the registrations
        and taking the newest one like ``payload``."""
        data = self.request("POST", "/config/callbacks", json=payload).data
        if isinstance(data, dict) and data.get("callback_id"):
            return data
        same = [cb for cb in self.list_callbacks() if _same_registration(cb, payload)]
        return same[-1] if same else {}

    def delete_callback(self, callback_id: str) -> None:
        """End a registration. Raises NotFound when Vibes has no such registration."""
        self.request("DELETE", f"/config/callbacks/{_q(callback_id)}")

    def test_callback(self, payload: dict) -> dict:
        return self.request("POST", "/config/callback_events/test", json=payload).data or {}

    # --- events ----------------------------------------------------------------------

    def send_event(self, payload: dict) -> Response:
        """Post an event (an API-triggered campaign's text) on the Event API's own rate
        limit; 202 means accepted, not sent: the outcome comes as ``event_processed``."""
        return self.request("POST", "/events", json=payload, rate_limit=self.event_rate_limit)


def _same_registration(found: dict, wanted: dict) -> bool:
    """The same type, filter and destination URL (Vibes echoes the filter object under the
    type's name, as it was sent)."""
    kind = wanted.get("callback_type")
    if not isinstance(found, dict) or found.get("callback_type") != kind:
        return False
    found_dest = found.get("destination") if isinstance(found.get("destination"), dict) else {}
    if found_dest.get("url") != (wanted.get("destination") or {}).get("url"):
        return False
    found_filter = found.get(kind) if isinstance(found.get(kind), dict) else {}
    wanted_filter = wanted.get(kind) if isinstance(wanted.get(kind), dict) else {}
    return {k: str(v) for k, v in found_filter.items() if v not in (None, "")} == {
        k: str(v) for k, v in wanted_filter.items() if v not in (None, "")
    }


_shared_clients: dict[tuple, VibesClient] = {}
_shared_lock = threading.Lock()


def _conflict_type(message: str, default: type[errors.Conflict]) -> type[errors.Conflict]:
    """The operation decides what a bare 409 means; a telling message overrides it."""
    text = message.lower()
    if "cannot be changed" in text or "can not be changed" in text:
        return errors.MdnCannotChange
    if "already subscribed" in text or "already a subscriber" in text:
        return errors.AlreadySubscribed
    if "another person" in text or "already exists" in text or "belongs to" in text:
        return errors.MdnBelongsToAnotherPerson
    return default
