"""The Vibes API routes: ``/companies/{company_key}/…`` (docs/vibes.md).

``handle(state, request)`` checks Basic auth and ``X-API-Version`` the way Vibes does,
parses the body, routes, and returns ``(status, body)``; ``body`` None means no body.
"""

import base64
import binascii
import hmac
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

from .errors import ApiError
from .mdn import parse_mdn
from .state import SimulatorState


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    headers: dict = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    company_key: str = ""  # the key in the path, once authorised

    def arg(self, name: str) -> str | None:
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None


@dataclass
class Credentials:
    company_key: str
    username: str
    password: str


ROUTES: list[tuple[str, re.Pattern, str]] = []


def route(method: str, pattern: str):
    def register(func):
        regex = re.compile("^" + pattern.replace("{", "(?P<").replace("}", ">[^/]+)") + "/?$")
        ROUTES.append((method, regex, func))
        return func

    return register


def handle(state: SimulatorState, creds: Credentials, request: Request) -> tuple[int, object, dict]:
    """``(status, body, headers)``. HEAD answers as GET would (the server sends no body);
    OPTIONS and a method a path does not take answer with the ``Allow`` header."""
    try:
        status, body = _dispatch(state, creds, request)
        return status, body, {}
    except ApiError as exc:
        return exc.status, exc.body(), _allow_header(request.path, exc)


class _NotAllowed(ApiError):
    def __init__(self, status: int, methods: set, message: str | None = None):
        super().__init__(status, message, 4050)
        self.methods = methods


def _allow_header(path: str, exc: ApiError) -> dict:
    if not isinstance(exc, _NotAllowed):
        return {}
    return {"Allow": ", ".join(sorted(exc.methods))}


def _dispatch(state, creds, request):
    match = re.match(r"^/companies/([^/]+)(/.*)$", request.path)
    if not match:
        raise ApiError(404, "Not found", 4040)
    rest = match.group(2)
    wanted = "GET" if request.method == "HEAD" else request.method
    routed = [(m, func, found) for m, regex, func in ROUTES if (found := regex.match(rest))]
    if not routed:
        raise ApiError(404, "Not found", 4040)
    chosen = next(((func, found) for method, func, found in routed if method == wanted), None)
    if chosen is None:
        methods = {method for method, _, _ in routed} | {"OPTIONS"}
        if "GET" in methods:
            methods.add("HEAD")
        if request.method == "OPTIONS":
            raise _NotAllowed(204, methods)  # no body: what the path takes is in Allow
        raise _NotAllowed(405, methods, "Method not allowed")
    func, found = chosen
    _authenticate(creds, request.headers.get("authorization", ""))
    request.company_key = unquote(match.group(1))
    if request.company_key != creds.company_key and not _parent_config(state, request, rest):
        raise ApiError(403, "Not authorized for this company", 4030)
    version = _version(request.headers.get("x-api-version"))
    args = {k: unquote(v) for k, v in found.groupdict().items()}
    body = _json_body(request) if wanted in {"POST", "PUT"} else None
    return func(state, request, version, body, **args)


def _parent_config(state, request: Request, rest: str) -> bool:
    """The parent company key that owns the short code may register callbacks (its
    unmatched messages); the rest of the API answers only to the account's own key."""
    return request.company_key == state.parent_company_key and rest.startswith("/config/")


def _authenticate(creds: Credentials, header: str) -> None:
    scheme, _, encoded = header.partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    username, _, password = decoded.partition(":")
    ok = scheme.lower() == "basic" and hmac.compare_digest(
        f"{username}\0{password}".encode(), f"{creds.username}\0{creds.password}".encode()
    )
    if not ok:
        raise ApiError(401, "Authentication failed", 4010)


def _version(header: str | None) -> int:
    if header is None or header.strip() == "":
        return 1  # Vibes' default, which rejects E.164 numbers
    if header.strip() in {"1", "2"}:
        return int(header)
    raise ApiError(400, f"Unsupported X-API-Version {header!r}", 4009)


def _json_body(request: Request):
    if not request.body.strip():
        raise ApiError(400, "A JSON body is required", 4010)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Malformed JSON body", 4011) from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object", 4012)
    return body


def _person_ref(state, *, person_key=None, external_person_id=None):
    if external_person_id is not None:
        return state.person_by_external(external_person_id)
    return state.person(person_key)


# -- persons ------------------------------------------------------------------------------
@route("GET", "/mobiledb/persons")
def find_person(state, request, version, body):
    raw = request.arg("mdn")
    if raw is None or raw == "":
        raise ApiError(404, "MDN not found", 4046)
    # A '+' sent as-is decodes to a space here, and fails like it does at Vibes.
    person = state.person_by_mdn(parse_mdn(raw, version=version))
    if person is None:
        raise ApiError(404, "MDN not found", 4046)
    return 200, person.to_api(state.company_key, version=version)


@route("POST", "/mobiledb/persons")
def add_person(state, request, version, body):
    status, person = state.person_add(body, version=version)
    return status, person.to_api(state.company_key, version=version)


@route("GET", "/mobiledb/persons/external/{ext}")
def get_person_external(state, request, version, body, ext):
    return 200, state.person_by_external(ext).to_api(state.company_key, version=version)


@route("PUT", "/mobiledb/persons/external/{ext}")
def put_person_external(state, request, version, body, ext):
    status, person = state.person_put_external(ext, body, version=version)
    return status, person.to_api(state.company_key, version=version)


@route("GET", "/mobiledb/persons/{key}")
def get_person(state, request, version, body, key):
    return 200, state.person(key).to_api(state.company_key, version=version)


@route("PUT", "/mobiledb/persons/{key}")
def put_person(state, request, version, body, key):
    person = state.person_update(state.person(key), body, version=version)
    return 200, person.to_api(state.company_key, version=version)


# -- a person's subscriptions -------------------------------------------------------------
def _boolean(value: str | None, *, name: str, default: bool) -> bool:
    """A boolean query parameter: true or false (any case); anything else is a 400."""
    if value is None:
        return default
    words = {"true": True, "false": False}
    if value.lower() not in words:
        raise ApiError(400, f"{name} must be true or false", 4015)
    return words[value.lower()]


def _subscriptions(state, request, person):
    active_only = _boolean(request.arg("active_only"), name="active_only", default=True)
    subs = state.subscriptions_of(person.person_key, active_only=active_only)
    return 200, [s.to_api(state.company_key, person, state.lists[s.list_id]) for s in subs]


def _subscription(state, person, list_id):
    sub = state.active_subscription(person.person_key, list_id)
    if sub is None:
        raise ApiError(404)  # unknown person or not subscribed: no body
    # The excerpt's schema for this answer is an array (subscriptionsResponse).
    return 200, [sub.to_api(state.company_key, person, state.lists[sub.list_id])]


def _unsubscribe(state, person, list_id):
    state.unsubscribe(person, list_id, reason="api_opt_out")
    return 204, None


def _person_or_404(state, **ref):
    try:
        return _person_ref(state, **ref)
    except ApiError:
        raise ApiError(404) from None


@route("GET", "/mobiledb/persons/external/{ext}/subscriptions")
def subs_external(state, request, version, body, ext):
    return _subscriptions(state, request, state.person_by_external(ext))


@route("GET", "/mobiledb/persons/{key}/subscriptions")
def subs(state, request, version, body, key):
    return _subscriptions(state, request, state.person(key))


@route("GET", "/mobiledb/persons/external/{ext}/subscriptions/{list_id}")
def sub_external(state, request, version, body, ext, list_id):
    return _subscription(state, _person_or_404(state, external_person_id=ext), list_id)


@route("DELETE", "/mobiledb/persons/external/{ext}/subscriptions/{list_id}")
def unsub_external(state, request, version, body, ext, list_id):
    return _unsubscribe(state, _person_or_404(state, external_person_id=ext), list_id)


@route("GET", "/mobiledb/persons/{key}/subscriptions/{list_id}")
def sub(state, request, version, body, key, list_id):
    return _subscription(state, _person_or_404(state, person_key=key), list_id)


@route("DELETE", "/mobiledb/persons/{key}/subscriptions/{list_id}")
def unsub(state, request, version, body, key, list_id):
    return _unsubscribe(state, _person_or_404(state, person_key=key), list_id)


# -- lists and campaigns ------------------------------------------------------------------
@route("GET", "/mobiledb/subscription_lists")
def lists(state, request, version, body):
    with state.lock:
        return 200, [sl.to_api(state.company_key) for sl in state.lists.values()]


@route("GET", "/mobiledb/subscription_lists/{list_id}")
def one_list(state, request, version, body, list_id):
    return 200, state.sub_list(list_id).to_api(state.company_key)


@route("GET", "/mobiledb/subscription_lists/{list_id}/acquisition_campaigns")
def list_campaigns(state, request, version, body, list_id):
    state.sub_list(list_id)
    with state.lock:
        found = [c for c in state.campaigns.values() if c.list_id == list_id]
        return 200, [c.to_api(state.company_key) for c in found]


@route("GET", "/mobiledb/subscription_lists/{list_id}/subscribers")
def list_subscriber(state, request, version, body, list_id):
    state.sub_list(list_id)
    with state.lock:
        return _list_subscriber(state, request, version, list_id)


def _list_subscriber(state, request, version, list_id):
    person = None
    if request.arg("mdn") is not None:
        person = state.person_by_mdn(parse_mdn(request.arg("mdn"), version=version))
    elif request.arg("person_key") is not None:
        person = state.persons.get(request.arg("person_key"))
    elif request.arg("external_person_id") is not None:
        person = state._by_external(request.arg("external_person_id"))
    if person is None or not state.active_subscription(person.person_key, list_id):
        raise ApiError(404)
    return 200, person.to_api(state.company_key, version=version)


@route("GET", "/campaigns/acquisition")
def campaigns(state, request, version, body):
    with state.lock:
        return 200, [c.to_api(state.company_key) for c in state.campaigns.values()]


@route("GET", "/campaigns/acquisition/{campaign_id}")
def one_campaign(state, request, version, body, campaign_id):
    return 200, state.campaign(campaign_id).to_api(state.company_key)


@route("POST", "/campaigns/acquisition/{campaign_id}/participants")
def add_participant(state, request, version, body, campaign_id):
    status, participant, person = state.participant_add(campaign_id, body, version=version)
    return status, participant.to_api(state.company_key, person)


@route("GET", "/campaigns/acquisition/{campaign_id}/participants")
def pending_participants(state, request, version, body, campaign_id):
    state.campaign(campaign_id)
    mdn = request.arg("mdn")
    kwargs = {"campaign_id": campaign_id}
    if mdn is not None:
        kwargs["mdn"] = parse_mdn(mdn, version=version)
    for name, attr in (("person_id", "person_id"), ("external_person_id", "external_person_id")):
        value = request.arg(name)
        if value is not None:
            person = next((p for p in state.persons.values() if getattr(p, attr) == value), None)
            if person is None:
                return 200, []
            kwargs["person_key"] = person.person_key
    found = state.pending(**kwargs)
    return 200, [p.to_api(state.company_key, state.persons[p.person_key]) for p in found]


# -- callback registrations ----------------------------------------------------------------
@route("POST", "/config/callbacks")
def register_callback(state, request, version, body):
    made = state.callback_register(body, version=version, company_key=request.company_key)
    # The excerpt documents this 201 without a body; ``registered_with_body = False``
    # answers so, for clients that must then find the id by listing.
    return 201, made.to_api(request.company_key) if state.registered_with_body else None


@route("GET", "/config/callbacks")
def list_callbacks(state, request, version, body):
    key = request.company_key
    return 200, [c.to_api(key) for c in state.callbacks_of(key)]


@route("GET", "/config/callbacks/{callback_id}")
def get_callback(state, request, version, body, callback_id):
    key = request.company_key
    return 200, state.callback(callback_id, company_key=key).to_api(key)


@route("PUT", "/config/callbacks/{callback_id}")
def put_callback(state, request, version, body, callback_id):
    key = request.company_key
    state.callback(callback_id, company_key=key)
    changed = state.callback_register(
        body, callback_id=callback_id, version=version, company_key=key
    )
    return 200, changed.to_api(key)


@route("DELETE", "/config/callbacks/{callback_id}")
def delete_callback(state, request, version, body, callback_id):
    key = request.company_key
    return 200, state.callback_delete(callback_id, company_key=key).to_api(key)


@route("POST", "/events")
def post_event(state, request, version, body):
    """The Event API (``simulator.texts``): 202, the outcome later as ``event_processed``."""
    return 202, state.event_post(body, len(request.body), version=version)


@route("POST", "/config/callback_events/test")
def test_callback(state, request, version, body):
    event_id = state.callback_test(body)
    return 200, {"message": "The callback was queued for send.", "event_id": event_id}
