"""``SimulatorServer``: the Vibes API and the control API on one port, in threads.

Library use (tests)::

    sim = SimulatorServer(company_key="acme", username="api@acme.test", password="pw").start()
    sim.url                      # "http://127.0.0.1:<port>", the VIBES_API_URL
    sim.seed_demo()              # demo lists 1234-1237, campaigns 2342312-2342314, persons
    sim.register_callbacks("http://127.0.0.1:8000/callbacks/vibes/<token>/")
    sim.reply(mdn="+12015550101", text="Y")    # or "NO", "STOP"; other text: unmatched
    sim.inbox(mdn="+12015550101")  # the texts our events sent it (POST …/events)
    sim.carrier_opt_out(mdn="+12015550101", reason="disconnect")
    sim.wait_idle()              # every callback delivered (or given up)
    sim.deliveries(callback_type="subscription_added")
    sim.stop()

The control API (``/_sim/…``, see ``simulator.control``) does the same over HTTP.
"""

import json
import logging
import threading
import time
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import api, control
from .delivery import DEFAULT_RETRY_SCHEDULE, Deliverer, Delivery, exponential_schedule
from .faults import FaultBook
from .seed import register_all_callbacks, seed_demo
from .state import LOG_SIZE, SimulatorState

log = logging.getLogger("simulator")

DEFAULT_COMPANY_KEY = "demo-company"
DEFAULT_USERNAME = "api@demo-company.test"
DEFAULT_PASSWORD = "simulator-password"  # noqa: S105 - a local fake's default

# Vibes' own limits and delivery, as docs/vibes.md states them; each can be changed (README,
# "The Vibes simulator"). About 100 requests a second per company key, then 429; up to 50
# callback endpoints; its older product gave a callback 2 seconds to answer.
DEFAULT_RATE_LIMIT = 100.0
DEFAULT_EVENT_RATE_LIMIT = 300.0  # the Event API's own budget
DEFAULT_CALLBACK_LIMIT = 50
DEFAULT_DELIVERY_TIMEOUT = 2.0


class SimulatorServer:
    def __init__(
        self,
        *,
        company_key: str = DEFAULT_COMPANY_KEY,
        parent_company_key: str | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        host: str = "127.0.0.1",
        port: int = 0,
        control_token: str | None = None,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        callback_limit: int | None = DEFAULT_CALLBACK_LIMIT,
        delivery_timeout: float = DEFAULT_DELIVERY_TIMEOUT,
        retry_schedule: tuple[float, ...] | None = None,
        max_attempts: int | None = None,
        retry_backoff: float | None = None,
        event_types: dict[str, str] | None = None,
        event_rate_limit: float | None = DEFAULT_EVENT_RATE_LIMIT,
    ):
        """``retry_schedule``: the seconds before each retry of a failed delivery (its
        length is the number of retries); or ``max_attempts`` with an exponential
        ``retry_backoff``, the short form tests use. ``None`` limits: no limit."""
        self.credentials = api.Credentials(company_key, username, password)
        self.host, self.port = host, port
        self.control_token = control_token
        if retry_schedule is None and (max_attempts or retry_backoff):
            retry_schedule = exponential_schedule(max_attempts or 4, retry_backoff or 0.2)
        self.deliverer = Deliverer(
            retry_schedule=DEFAULT_RETRY_SCHEDULE if retry_schedule is None else retry_schedule,
            timeout=delivery_timeout,
        )
        self.state = SimulatorState(company_key=company_key, deliverer=self.deliverer)
        self.state.callback_limit = callback_limit
        self.state.parent_company_key = parent_company_key or company_key
        self.faults = FaultBook()
        self.default_rate_limit = rate_limit
        self.faults.rate_limit = rate_limit
        self.faults.event_rate_limit = event_rate_limit
        if event_types is not None:
            self.state.event_types_set(event_types)
        #: Every API request in full (query, headers, body, arrival time), for tests.
        self.request_log: deque[dict] = deque(maxlen=LOG_SIZE)
        self.stopped = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> "SimulatorServer":
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.simulator = self
        self.port = self._httpd.server_address[1]
        self.deliverer.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread until ``stop()`` or KeyboardInterrupt (the command)."""
        self.start()
        try:
            self.stopped.wait()
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopped.set()  # also wakes requests hanging in a "timeout" fault
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.deliverer.stop()

    def __enter__(self):
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def company_key(self) -> str:
        return self.credentials.company_key

    def env(self) -> dict[str, str]:
        """The product's settings for talking to this simulator (for subprocess workers)."""
        return {
            "VIBES_API_URL": self.url,
            "VIBES_COMPANY_KEY": self.credentials.company_key,
            "VIBES_USERNAME": self.credentials.username,
            "VIBES_PASSWORD": self.credentials.password,
            "VIBES_PARENT_COMPANY_KEY": self.state.parent_company_key,
            "VIBES_SOURCE_CODES": f"{self.state.short_code}:{self.state.country_code}",
        }

    # -- driving it (the control API calls these) -------------------------------------
    def seed_demo(self, *, persons: int = 300) -> dict:
        return seed_demo(self.state, persons=persons)

    def register_callbacks(self, url: str, **kwargs) -> list:
        return register_all_callbacks(self.state, url, **kwargs)

    def reply(self, *, mdn: str, text: str, **kwargs) -> list:
        return self.state.reply(mdn=mdn, text=text, **kwargs)

    def inbox(self, mdn: str | None = None) -> list[dict]:
        """The texts our own events sent (``simulator.texts``), oldest first."""
        return self.state.inbox_of(mdn)

    def carrier_opt_out(self, *, mdn: str, reason: str) -> list:
        """The carrier ends the number: every open subscription, with ``reason``."""
        return self.state.carrier_opt_out(mdn=mdn, reason=reason)

    def add_fault(self, kind: str, **spec):
        return self.faults.add(kind=kind, **spec)

    def clear_faults(self) -> None:
        """No faults, and the rate limit back to the one this simulator started with."""
        self.faults.clear()
        self.faults.rate_limit = self.default_rate_limit

    def release(self) -> None:
        """Answer the requests a ``hold`` fault keeps waiting (``simulator.faults``)."""
        self.faults.release()

    def set_rate_limit(self, per_second: float | None) -> None:
        """Requests a second before 429; 0 or ``None``: no limit."""
        self.faults.rate_limit = per_second or None

    def set_callback_limit(self, limit: int | None) -> None:
        self.state.callback_limit = limit or None

    def delete_callback(self, callback_id: str):
        """End a registration as staff would in Vibes' UI (no callback tells anyone)."""
        return self.state.callback_delete(callback_id)

    def configure_delivery(self, **kwargs) -> dict:
        """``duplicate=N``, ``retry=N``, ``out_of_order=N``, ``hold=True/False``,
        ``timeout=seconds``, ``retry_schedule=[seconds, …]``."""
        return self.deliverer.configure(**kwargs)

    def limits(self) -> dict:
        return {
            "rate_limit": self.faults.rate_limit,
            "callback_limit": self.state.callback_limit,
            "delivery_timeout": self.deliverer.timeout,
            "retry_schedule": list(self.deliverer.retry_schedule),
        }

    def send_raw_callback(self, body: bytes | str, *, content_type="application/json") -> int:
        """Send ``body`` as is (e.g. one of Vibes' malformed examples) to every callback URL."""
        raw = body.encode() if isinstance(body, str) else body
        with self.state.lock:
            urls = {(c.url, c.method) for c in self.state.callbacks.values()}
        for url, method in sorted(urls):
            self.deliverer.enqueue(
                Delivery(
                    payload={"event_id": "raw", "callback_type": "raw"},
                    url=url,
                    method=method,
                    content_type=content_type,
                    raw_body=raw,
                )
            )
        return len(urls)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.deliverer.wait_idle(timeout)

    def deliveries(self, *, callback_type=None, outcome=None, event_id=None) -> list:
        with self.deliverer._cond:
            records = list(self.deliverer.records)
        return [
            r
            for r in records
            if (callback_type is None or r.callback_type == callback_type)
            and (outcome is None or r.outcome == outcome)
            and (event_id is None or r.event_id == event_id)
        ]

    def wait_for_request(self, *, method=None, path_contains=None, timeout=10.0) -> dict | None:
        """The first API request matching, waiting up to ``timeout`` for it to arrive
        (e.g. the push a staff opt-out makes: ``method="DELETE"``)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(method=method, path_contains=path_contains)
            if found or time.monotonic() >= deadline:
                return found[0] if found else None
            time.sleep(0.05)

    def requests(self, *, method=None, path_contains=None) -> list[dict]:
        with self.state.lock:
            found = list(self.state.requests)
        return [
            r
            for r in found
            if (method is None or r["method"] == method)
            and (path_contains is None or path_contains in r["path"])
        ]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _decoded(body: bytes):
    """A request body as the log keeps it: the JSON value, else the text, else None."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")


def _shown(headers) -> dict:
    """A request's headers as the log keeps them: the credentials' scheme, not their value."""
    shown = dict(headers)
    for name in shown:
        if name.lower() == "authorization":
            shown[name] = shown[name].partition(" ")[0] + " [hidden]"
    return shown


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    simulator: SimulatorServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one small answer must not wait 40 ms for an ACK
    server_version = "VibesSimulator/1"

    def do_GET(self):
        try:
            self._serve()
        except Exception:  # a bug in the simulator answers 500, like a server would
            log.exception("simulator error on %s %s", self.command, self.path.partition("?")[0])
            error = {"errors": [{"message": "Internal Server Error", "code": 5000}]}
            self._answer(500, error)

    def __getattr__(self, name):
        # Every method reaches the router (HEAD, OPTIONS, TRACE, …), which answers 405 with
        # Allow for the ones a path does not take, as an API server does; the stdlib
        # would answer an HTML 501.
        if name.startswith("do_"):
            return self.do_GET
        raise AttributeError(name)

    def _serve(self):
        sim: SimulatorServer = self.server.simulator
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self._request = (query, body, time.time())  # what the log keeps besides the path
        if path.startswith("/_sim"):
            status, payload = control.handle(sim, self.command, path, query, self.headers, body)
            return self._answer(status, payload)
        faults = sim.faults.take(self.command, path)
        for fault in faults:
            if fault.kind == "latency" and sim.stopped.wait(fault.seconds):
                return
        for fault in faults:
            if fault.kind == "hold" and not sim.faults.wait_released(sim.stopped):
                self.close_connection = True
                return  # stopped while held: no answer
            if fault.kind == "timeout":
                sim.stopped.wait(fault.seconds)
                self.close_connection = True
                return  # no answer at all
            if fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                error = {"errors": [{"message": _phrase(fault.status), "code": fault.status * 10}]}
                payload = fault.body if fault.body is not None else error
                raw = fault.raw.encode() if fault.body is None and fault.raw is not None else None
                return self._answer(fault.status, payload, headers, raw=raw, record=True)
        if sim.faults.over_rate_limit(events=path.rstrip("/").endswith("/events")):
            error = {"errors": [{"message": "Too Many Requests", "code": 4290}]}
            return self._answer(429, error, record=True)
        request = api.Request(
            method=self.command,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        status, payload, headers = api.handle(sim.state, sim.credentials, request)
        raw = None
        if any(f.kind == "malformed" for f in faults) and payload is not None:
            text = json.dumps(payload).encode()
            raw = text[: max(1, len(text) // 2)]
        self._answer(status, payload, headers, raw=raw, record=True)

    def _answer(self, status, payload, headers=None, *, raw=None, record=False):
        if record:
            sim = self.server.simulator
            query, body, at = getattr(self, "_request", ("", b"", time.time()))
            entry = {"method": self.command, "path": self.path.partition("?")[0], "status": status}
            entry |= {"query": query, "headers": _shown(self.headers), "body": _decoded(body)}
            entry["at"] = at  # when it arrived, before any latency fault
            with sim.state.lock:
                sim.state.requests.append({k: entry[k] for k in ("method", "path", "status")})
                sim.request_log.append(entry)
        data = raw if raw is not None else b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        # The request line can carry a number in its query string: log the path only.
        log.debug("%s %s", self.command, self.path.partition("?")[0])

    def log_request(self, code="-", size="-"):
        log.info("%s %s -> %s", self.command, self.path.partition("?")[0], code)
