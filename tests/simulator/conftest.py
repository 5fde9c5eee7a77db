"""A simulator on an ephemeral port, an authenticated client, and a callback receiver."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from simulator import SimulatorServer, demo

COMPANY = "acme"
USER = "api@acme.test"
PASSWORD = "s3cret-pw"


@pytest.fixture
def sim():
    server = SimulatorServer(
        company_key=COMPANY, username=USER, password=PASSWORD, retry_backoff=0.05
    ).start()
    server.seed_demo(persons=12)
    yield server
    server.stop()


class VibesClient:
    """Just enough of a client to drive the simulator's API without the product's own."""

    def __init__(self, base_url: str, *, version: str | None = "2"):
        self.base = f"{base_url}/companies/{COMPANY}"
        self.session = requests.Session()
        self.session.auth = (USER, PASSWORD)
        if version:
            self.session.headers["X-API-Version"] = version

    def __getattr__(self, method):
        def call(path, **kwargs):
            kwargs.setdefault("timeout", 5)
            return self.session.request(method.upper(), self.base + path, **kwargs)

        return call


@pytest.fixture
def vibes(sim):
    client = VibesClient(sim.url)
    yield client
    client.session.close()


class Receiver:
    """Our side of the callbacks: records every request, answers from a script."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []  # statuses to answer, in turn; then 200
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    try:
                        parsed = json.loads(body)
                    except ValueError:
                        parsed = None
                    receiver.received.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "content_type": self.headers.get("Content-Type"),
                            "raw": body,
                            "json": parsed,
                            "status": status,
                        }
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = _handle

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/callbacks/vibes/tok/"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def events(self, callback_type=None) -> list[dict]:
        with self.lock:
            found = [r["json"] for r in self.received if r["json"]]
        return [e for e in found if callback_type is None or e["callback_type"] == callback_type]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def wired(sim, receiver):
    """The simulator with every callback type registered to the receiver."""
    sim.register_callbacks(receiver.url)
    return sim


def demo_mdn(n: int) -> str:
    return demo.demo_mdn(n)
