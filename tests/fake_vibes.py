"""A small in-memory Vibes on 127.0.0.1 for tests and the push benchmark.

Enough of Vibes' behaviour for the push paths (persons by key / external id / number,
add-or-merge, participants, unsubscribe, lists, callbacks), plus scripted answers
(``script``) for the failure cases, optional latency, and a ``hold`` switch that keeps
requests waiting (to kill a worker in the middle of a push). Every request is recorded.
"""

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    raw_query: str
    query: dict
    headers: dict
    body: object
    at: float


@dataclass
class Scripted:
    method: str
    pattern: re.Pattern
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0


class FakeVibes:
    def __init__(self, *, company_key="ck-test", latency=0.0):
        self.company_key = company_key
        self.latency = latency
        self.requests: list[Recorded] = []
        self.scripts: list[Scripted] = []
        self.persons: dict[str, dict] = {}
        self.subscriptions: dict[tuple[str, str], dict] = {}
        self.lists = [{"id": "1234", "name": "Deals"}, {"id": "1235", "name": "News"}]
        self.campaigns = {
            "1234": [{"acquisition_id": "2342312", "status": "ACTIVE"}],
            "1235": [{"acquisition_id": "2342313", "status": "ACTIVE"}],
        }
        self.single_opt_in: set[str] = set()
        self.callbacks: list[dict] = []
        self.hold = threading.Event()  # set() = requests wait until released
        self.released = threading.Event()
        self.in_flight = threading.Event()
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.server = None

    # --- control ---------------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                fake._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.released.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def script(self, method, pattern, status, body=None, *, headers=None, times=1, delay=0.0):
        self.scripts.append(
            Scripted(method, re.compile(pattern), status, body, headers or {}, times, delay)
        )

    def calls(self, method=None, pattern=None) -> list[Recorded]:
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method)
            and (pattern is None or re.search(pattern, r.path))
        ]

    def add_person(self, **fields) -> dict:
        key = fields.pop("person_key", None) or f"pk{next(self._ids)}"
        person = {
            "person_key": key,
            "person_id": str(next(self._ids)),
            "custom_fields": {},
            "mobile_phone": {},
            **fields,
        }
        self.persons[key] = person
        return person

    # --- serving ---------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler):
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        split = urlsplit(h.path)
        prefix = f"/companies/{self.company_key}"
        path = split.path.removeprefix(prefix).rstrip("/") or "/"
        record = Recorded(
            h.command,
            path,
            split.query,
            parse_qs(split.query),
            dict(h.headers),
            body,
            time.monotonic(),
        )
        with self._lock:
            self.requests.append(record)
        if self.hold.is_set():
            self.in_flight.set()
            self.released.wait(60)
        if self.latency:
            time.sleep(self.latency)
        status, payload, headers = self._answer(h.command, path, record)
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _answer(self, method, path, rec):
        with self._lock:
            for s in self.scripts:
                if s.times and s.method == method and s.pattern.search(path):
                    s.times -= 1
                    if s.delay:
                        time.sleep(s.delay)
                    return s.status, s.body, s.headers
            return self._behave(method, path, rec)

    def _find(self, key=None, external=None, mdn=None):
        for p in self.persons.values():
            if key and p["person_key"] == key:
                return p
            if external and p.get("external_person_id") == external:
                return p
            if mdn and (p.get("mobile_phone") or {}).get("mdn") == mdn:
                return p
        return None

    def _apply(self, person, body):
        body = body or {}
        if "external_person_id" in body:
            person["external_person_id"] = body["external_person_id"]
        if isinstance(body.get("mobile_phone"), dict):
            person["mobile_phone"] = {**person.get("mobile_phone", {}), **body["mobile_phone"]}
        for k, v in (body.get("custom_fields") or {}).items():
            if v is None:
                person["custom_fields"].pop(k, None)
            else:
                person["custom_fields"][k] = v

    def _behave(self, method, path, rec):  # noqa: C901 - a table of routes
        parts = [unquote(p) for p in path.strip("/").split("/")]
        body = rec.body if isinstance(rec.body, dict) else {}
        if parts[:2] == ["mobiledb", "persons"]:
            rest = parts[2:]
            if not rest and method == "GET":
                p = self._find(mdn=rec.query.get("mdn", [None])[0])
                return (200, p, {}) if p else (404, None, {})
            if not rest and method == "POST":
                mdn = (body.get("mobile_phone") or {}).get("mdn")
                p = self._find(mdn=mdn) or self._find(external=body.get("external_person_id"))
                if p:
                    self._apply(p, body)
                    return 200, p, {}
                p = self.add_person()
                self._apply(p, body)
                return 201, p, {}
            external = rest[0] == "external"
            ident = rest[1] if external else rest[0]
            tail = rest[2:] if external else rest[1:]
            p = self._find(external=ident) if external else self._find(key=ident)
            if not tail:
                if method == "GET":
                    return (200, p, {}) if p else (404, None, {})
                if method == "PUT":
                    if p is None and not external:
                        return 404, {"errors": [{"message": "Person not found"}]}, {}
                    if p is None:
                        p = self.add_person(external_person_id=ident)
                    new = (body.get("mobile_phone") or {}).get("mdn")
                    old = (p.get("mobile_phone") or {}).get("mdn")
                    if new and old and new != old:
                        return 409, {"errors": [{"message": "MDN cannot be changed"}]}, {}
                    self._apply(p, body)
                    return 200, p, {}
            if tail[:1] == ["subscriptions"] and p is not None:
                if len(tail) == 1:
                    return (
                        200,
                        [s for (k, _), s in self.subscriptions.items() if k == p["person_key"]],
                        {},
                    )
                sub = self.subscriptions.get((p["person_key"], tail[1]))
                if method == "DELETE":
                    if not sub or sub.get("opt_out_date"):
                        return 404, None, {}
                    sub["opt_out_date"] = "2026-01-01T00:00:00Z"
                    sub["opt_out_reason"] = "api_opt_out"
                    return 204, None, {}
            return 404, None, {}
        if parts[:2] == ["campaigns", "acquisition"] and parts[3:] == ["participants"]:
            campaign = parts[2]
            list_id = next(
                (
                    lid
                    for lid, cs in self.campaigns.items()
                    if any(c["acquisition_id"] == campaign for c in cs)
                ),
                None,
            )
            mdn = (body.get("mobile_phone") or {}).get("mdn")
            p = self._find(mdn=mdn) or self._find(external=body.get("external_person_id"))
            if p is None:
                p = self.add_person()
                self._apply(p, body)
            sub = self.subscriptions.get((p["person_key"], list_id))
            if sub and not sub.get("opt_out_date"):
                return 409, None, {}
            status = "SUBSCRIBED" if campaign in self.single_opt_in else "PENDING"
            if status == "SUBSCRIBED":
                self.subscriptions[(p["person_key"], list_id)] = {
                    "person": {"id": p["person_id"]},
                    "subscription_list": {"id": list_id},
                    "opt_in_date": "2026-01-01T00:00:00Z",
                    "opt_out_date": None,
                }
            return (
                201,
                {
                    "person": {"person_key": p["person_key"], "person_id": p["person_id"]},
                    "status": status,
                },
                {},
            )
        if parts[:2] == ["mobiledb", "subscription_lists"]:
            if len(parts) == 2:
                return 200, self.lists, {}
            if parts[3:] == ["acquisition_campaigns"]:
                return 200, self.campaigns.get(parts[2], []), {}
        if parts[:2] == ["config", "callbacks"]:
            if method == "GET":
                return 200, self.callbacks, {}
            if method == "POST":
                cb = {**body, "callback_id": str(next(self._ids))}
                self.callbacks.append(cb)
                return 201, cb, {}
        if parts[:2] == ["config", "callback_events"]:
            return 201, {"message": "queued", "event_id": "evt"}, {}
        return 404, None, {}
