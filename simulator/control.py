"""The control API: JSON under ``/_sim/``, no Vibes auth (optionally ``X-Sim-Token``).

Reading:
- GET ``/_sim/health``; GET ``/_sim/state`` (counts, lists, campaigns, callbacks, faults,
  delivery settings); GET ``/_sim/persons?mdn=|person_key=|external_person_id=`` (a
  person with subscriptions and pending campaigns); GET ``/_sim/deliveries?callback_type=
  &outcome=``; GET ``/_sim/events``; GET ``/_sim/requests``; GET ``/_sim/inbox?mdn=``
  (the texts the Event API sent a phone, ``simulator.texts``).
- POST ``/_sim/wait`` ``{"timeout": 10}`` -> ``{"idle": true}`` once every callback is
  delivered or given up.

Set-up: POST ``/_sim/reset``; POST ``/_sim/seed`` ``{"persons": 300}`` (the demo account,
no callbacks); POST ``/_sim/register-callbacks`` ``{"url", "method"?, "content_type"?}``
(every callback type the product handles, per list and per campaign); DELETE
``/_sim/callbacks`` ``{"callback_id"}`` ends one registration, as staff would in Vibes' UI.

What people and staff do in Vibes (each fires the callbacks Vibes would):
- POST ``/_sim/reply`` ``{"mdn", "text", "campaign_id"?, "list_id"?, "reason"?}``: "Y",
  "NO", the stop keywords and HELP act (never an unmatched message); any other text is an
  ``unmatched_message_received``;
- POST ``/_sim/carrier-opt-out`` ``{"mdn", "reason": "disconnect"|"failed_at_carrier"|
  "obsolete_carrier"}``: the carrier ends every open subscription of the number;
- POST ``/_sim/subscribe`` ``{"mdn", "list_id"}`` (texted a keyword);
- POST ``/_sim/persons`` (a person body; add or merge); POST ``/_sim/persons/update``
  ``{"person_key"|"mdn"|"external_person_id", …fields}``;
- POST ``/_sim/lists`` ``{"id", "name", "campaign_id"?, "double_opt_in"?}``;
- POST ``/_sim/expire`` ``{"mdn", "campaign_id"?}``; POST ``/_sim/landlines`` ``{"mdn"}``;
- GET/POST ``/_sim/event-types`` ``{"types": {name: template}}``: the API-triggered
  campaigns the Event API knows (others fail with ``no_route_rules``).

Misbehaviour:
- GET/POST/DELETE ``/_sim/faults``: ``{"kind": "latency"|"hold"|"status"|"timeout"|
  "malformed", "method"?, "path"?, "count"?, "status"?, "seconds"?, "retry_after"?,
  "body"?, "raw"?}`` or ``{"rate_limit": n}`` (see ``simulator.faults``); POST
  ``/_sim/faults/release`` answers the requests a ``hold`` keeps waiting;
- GET/POST ``/_sim/delivery``: ``{"duplicate"?, "retry"?, "out_of_order"?, "hold"?}``
  (see ``simulator.delivery``);
- POST ``/_sim/callbacks/raw`` ``{"body", "content_type"?}``: a body sent as is.

Limits (Vibes' by default): GET/POST ``/_sim/limits`` ``{"rate_limit"?: requests a second
(0: none), "callback_limit"?: registrations (0: none), "delivery_timeout"?: seconds,
"retry_schedule"?: [seconds before each retry]}``.
"""

import hmac
import json
from urllib.parse import parse_qs

from .errors import ApiError
from .mdn import parse_mdn
from .records import SimCampaign


def handle(sim, method: str, path: str, query: str, headers, body: bytes):
    if sim.control_token and not hmac.compare_digest(
        (headers.get("X-Sim-Token") or "").encode(), sim.control_token.encode()
    ):
        return 403, {"errors": [{"message": "X-Sim-Token required", "code": 4031}]}
    try:
        data = json.loads(body) if body.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        return 400, {"errors": [{"message": "Control API bodies are JSON objects", "code": 4013}]}
    args = {k: v[0] for k, v in parse_qs(query).items()}
    handler = ROUTES.get((method, path.rstrip("/")))
    if handler is None:
        return 404, {"errors": [{"message": f"No control route {method} {path}", "code": 4047}]}
    try:
        return handler(sim, data, args)
    except ApiError as exc:
        return exc.status, exc.body() or {"errors": [{"message": "Not found", "code": 4040}]}
    except (TypeError, ValueError, KeyError) as exc:
        return 400, {"errors": [{"message": f"Bad control request: {exc}", "code": 4014}]}


def _find(sim, data):
    state = sim.state
    if data.get("person_key"):
        return state.person(data["person_key"])
    if data.get("external_person_id"):
        return state.person_by_external(data["external_person_id"])
    person = state.person_by_mdn(parse_mdn(data.get("mdn")))
    if person is None:
        raise ApiError(404, "No person with that number", 4048)
    return person


def _person_view(sim, person):
    state, ck = sim.state, sim.company_key
    subs = state.subscriptions_of(person.person_key, active_only=False)
    return {
        **person.to_api(ck),
        "subscriptions": [s.to_api(ck, person, state.lists[s.list_id]) for s in subs],
        "pending": [p.campaign_id for p in state.pending(person_key=person.person_key)],
    }


def health(sim, data, args):
    return 200, {"ok": True, "company_key": sim.company_key}


def state_summary(sim, data, args):
    state = sim.state
    with state.lock:
        return 200, {
            "company_key": sim.company_key,
            "persons": len(state.persons),
            "subscriptions_active": sum(s.active for s in state.subscriptions),
            "pending": len(state.pending()),
            "lists": [sl.to_api(sim.company_key) for sl in state.lists.values()],
            "campaigns": [
                {"id": c.id, "list_id": c.list_id, "double_opt_in": c.double_opt_in}
                for c in state.campaigns.values()
            ],
            "callbacks": [c.to_api(sim.company_key) for c in state.callbacks.values()],
            "custom_fields": sorted(state.custom_fields),
            "delivery": sim.deliverer.settings(),
            "limits": sim.limits(),
            **sim.faults.to_json(),
        }


def person_get(sim, data, args):
    return 200, _person_view(sim, _find(sim, args))


def reset(sim, data, args):
    sim.state.reset()
    sim.clear_faults()
    return 200, {"ok": True}


def seed(sim, data, args):
    return 200, sim.seed_demo(persons=int(data.get("persons", 300)))


def register_callbacks(sim, data, args):
    extra = {k: data[k] for k in ("method", "content_type") if k in data}
    made = sim.register_callbacks(data["url"], **extra)
    return 200, {"registered": [c.to_api(sim.company_key) for c in made]}


def callback_delete(sim, data, args):
    ended = sim.delete_callback(str(data["callback_id"]))
    return 200, ended.to_api(getattr(ended, "company_key", "") or sim.company_key)


def reply(sim, data, args):
    mdn = parse_mdn(data.get("mdn"))
    extra = {k: data[k] for k in ("campaign_id", "list_id", "reason") if data.get(k)}
    done = sim.reply(mdn=mdn, text=str(data["text"]), **extra)
    unmatched = [d["event_id"] for d in done if isinstance(d, dict)]
    if unmatched:  # the text matched no keyword: the event Vibes sent for it
        return 200, {"ok": True, "changed": 0, "unmatched": unmatched}
    return 200, {"ok": True, "changed": len(done)}


def carrier_opt_out(sim, data, args):
    ended = sim.state.carrier_opt_out(mdn=parse_mdn(data.get("mdn")), reason=data.get("reason"))
    return 200, {"ok": True, "ended": [s.list_id for s in ended]}


def limits_get(sim, data, args):
    return 200, sim.limits()


def limits_set(sim, data, args):
    unknown = set(data) - {"rate_limit", "callback_limit", "delivery_timeout", "retry_schedule"}
    if unknown:
        raise ValueError(f"unknown limits {sorted(unknown)}")
    if "rate_limit" in data:
        sim.set_rate_limit(float(data["rate_limit"] or 0))
    if "callback_limit" in data:
        sim.set_callback_limit(int(data["callback_limit"] or 0))
    delivery = {
        "timeout": data.get("delivery_timeout"),
        "retry_schedule": data.get("retry_schedule"),
    }
    sim.configure_delivery(**{k: v for k, v in delivery.items() if v is not None})
    return 200, sim.limits()


def subscribe(sim, data, args):
    state = sim.state
    mdn = parse_mdn(data.get("mdn"))
    with state.lock:
        sub_list = state.sub_list(data["list_id"])
        person = state.person_by_mdn(mdn)
        if person is None:
            _, person = state.person_add({"mobile_phone": {"mdn": mdn}})
        campaign = next((c.id for c in state.campaigns.values() if c.list_id == sub_list.id), None)
        state.subscribe(person, sub_list.id, campaign_id=campaign)
        return 200, _person_view(sim, person)


def person_add(sim, data, args):
    status, person = sim.state.person_add(data)
    return status, person.to_api(sim.company_key)


def person_update(sim, data, args):
    person = _find(sim, data)
    fields = {k: v for k, v in data.items() if k not in {"person_key", "mdn"}}
    if not data.get("person_key") and not data.get("mdn"):
        fields.pop("external_person_id", None)  # it named the person
    return 200, sim.state.person_update(person, fields).to_api(sim.company_key)


def list_upsert(sim, data, args):
    state = sim.state
    with state.lock:
        sub_list = state.list_upsert(list_id=str(data["id"]), name=str(data["name"]))
        if data.get("campaign_id"):
            state.campaigns[str(data["campaign_id"])] = SimCampaign(
                id=str(data["campaign_id"]),
                list_id=sub_list.id,
                description=str(data.get("description") or sub_list.name),
                keyword=str(data.get("keyword") or ""),
                double_opt_in=bool(data.get("double_opt_in", True)),
                created_at=state.now(),
            )
        return 200, sub_list.to_api(sim.company_key)


def expire(sim, data, args):
    state = sim.state
    with state.lock:
        found = state.pending(mdn=parse_mdn(data.get("mdn")), campaign_id=data.get("campaign_id"))
        for participant in found:
            participant.status = "EXPIRED"
        return 200, {"expired": len(found)}


def landline(sim, data, args):
    sim.state.landlines.add(parse_mdn(data.get("mdn")))
    return 200, {"ok": True}


def faults_get(sim, data, args):
    return 200, sim.faults.to_json()


def faults_add(sim, data, args):
    if "rate_limit" in data:
        sim.set_rate_limit(data.pop("rate_limit"))
    if data:
        sim.add_fault(**data)
    return 200, sim.faults.to_json()


def faults_clear(sim, data, args):
    sim.clear_faults()
    return 200, sim.faults.to_json()


def faults_release(sim, data, args):
    sim.release()
    return 200, sim.faults.to_json()


def delivery_get(sim, data, args):
    return 200, sim.deliverer.settings()


def delivery_set(sim, data, args):
    return 200, sim.configure_delivery(**data)


def raw_callback(sim, data, args):
    content_type = data.get("content_type", "application/json")
    sent = sim.send_raw_callback(data["body"], content_type=content_type)
    return 200, {"sent": sent}


def deliveries(sim, data, args):
    found = sim.deliveries(callback_type=args.get("callback_type"), outcome=args.get("outcome"))
    return 200, [r.to_json() for r in found]


def events(sim, data, args):
    with sim.state.lock:
        return 200, list(sim.state.events)


def inbox(sim, data, args):
    mdn = parse_mdn(args["mdn"]) if args.get("mdn") else None
    return 200, sim.inbox(mdn)


def event_types_get(sim, data, args):
    with sim.state.lock:
        return 200, {"types": dict(sim.state.event_types)}


def event_types_set(sim, data, args):
    types = data["types"]
    if not isinstance(types, dict):
        raise ValueError("types is an object: {event_type: message template}")
    return 200, {"types": sim.state.event_types_set(types)}


def requests_log(sim, data, args):
    return 200, sim.requests()


def wait(sim, data, args):
    return 200, {"idle": sim.wait_idle(float(data.get("timeout", 10)))}


ROUTES = {
    ("GET", "/_sim/health"): health,
    ("GET", "/_sim/state"): state_summary,
    ("GET", "/_sim/persons"): person_get,
    ("POST", "/_sim/reset"): reset,
    ("POST", "/_sim/seed"): seed,
    ("POST", "/_sim/register-callbacks"): register_callbacks,
    ("DELETE", "/_sim/callbacks"): callback_delete,
    ("POST", "/_sim/reply"): reply,
    ("POST", "/_sim/carrier-opt-out"): carrier_opt_out,
    ("GET", "/_sim/limits"): limits_get,
    ("POST", "/_sim/limits"): limits_set,
    ("POST", "/_sim/subscribe"): subscribe,
    ("POST", "/_sim/persons"): person_add,
    ("POST", "/_sim/persons/update"): person_update,
    ("POST", "/_sim/lists"): list_upsert,
    ("POST", "/_sim/expire"): expire,
    ("POST", "/_sim/landlines"): landline,
    ("GET", "/_sim/faults"): faults_get,
    ("POST", "/_sim/faults"): faults_add,
    ("DELETE", "/_sim/faults"): faults_clear,
    ("POST", "/_sim/faults/release"): faults_release,
    ("GET", "/_sim/delivery"): delivery_get,
    ("POST", "/_sim/delivery"): delivery_set,
    ("POST", "/_sim/callbacks/raw"): raw_callback,
    ("GET", "/_sim/deliveries"): deliveries,
    ("GET", "/_sim/events"): events,
    ("GET", "/_sim/requests"): requests_log,
    ("GET", "/_sim/inbox"): inbox,
    ("GET", "/_sim/event-types"): event_types_get,
    ("POST", "/_sim/event-types"): event_types_set,
    ("POST", "/_sim/wait"): wait,
}
