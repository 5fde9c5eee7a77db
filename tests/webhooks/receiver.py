"""A webhook receiver on 127.0.0.1 for the tests: verifies every signature with the
``standardwebhooks`` library and keeps what it accepted; ``down`` makes it answer 503."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.down = False
        self.accepted: list[dict] = []  # {"id", "type", "data"} in arrival order
        self.refused: list[str] = []  # webhook-ids answered 503 or badly signed
        self.bad_signatures = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.take(body, headers)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def take(self, body: bytes, headers: dict) -> int:
        with self._lock:
            if self.down:
                self.refused.append(headers.get("webhook-id", ""))
                return 503
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.bad_signatures += 1
                return 400
            self.accepted.append(
                {"id": headers["webhook-id"], "type": payload["type"], "data": payload["data"]}
            )
            return 204

    def start(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        with self._lock:
            return [e["id"] for e in self.accepted]

    def events(self) -> list[dict]:
        with self._lock:
            return json.loads(json.dumps(self.accepted))
