"""``manage.py vibes_simulator_ctl ACTION [options]``: drive a running simulator.

Examples::

    manage.py vibes_simulator_ctl reply-y --mdn +12015550101
    manage.py vibes_simulator_ctl reply-no --mdn +12015550101 --campaign 2342312
    manage.py vibes_simulator_ctl stop --mdn +12015550101 [--list 1234]
    manage.py vibes_simulator_ctl text --mdn +12015550101 --text "Stop please"
    manage.py vibes_simulator_ctl carrier-opt-out --mdn +12015550101 --reason disconnect
    manage.py vibes_simulator_ctl limits --rate-limit 0 --retry-schedule 1,2,4
    manage.py vibes_simulator_ctl fault --kind status --status 503 --count 3 --path /persons
    manage.py vibes_simulator_ctl delivery --duplicate 2 --out-of-order 3
    manage.py vibes_simulator_ctl inbox --mdn +12015550101
    manage.py vibes_simulator_ctl state
"""

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ACTIONS = {
    "state": ("GET", "/_sim/state"),
    "person": ("GET", "/_sim/persons"),
    "inbox": ("GET", "/_sim/inbox"),
    "reply-y": ("POST", "/_sim/reply"),
    "reply-no": ("POST", "/_sim/reply"),
    "stop": ("POST", "/_sim/reply"),
    "text": ("POST", "/_sim/reply"),
    "carrier-opt-out": ("POST", "/_sim/carrier-opt-out"),
    "limits": ("POST", "/_sim/limits"),
    "subscribe": ("POST", "/_sim/subscribe"),
    "update-person": ("POST", "/_sim/persons/update"),
    "list": ("POST", "/_sim/lists"),
    "expire": ("POST", "/_sim/expire"),
    "fault": ("POST", "/_sim/faults"),
    "clear-faults": ("DELETE", "/_sim/faults"),
    "delivery": ("POST", "/_sim/delivery"),
    "deliveries": ("GET", "/_sim/deliveries"),
    "register-callbacks": ("POST", "/_sim/register-callbacks"),
    "seed-demo": ("POST", "/_sim/seed"),
    "wait": ("POST", "/_sim/wait"),
    "reset": ("POST", "/_sim/reset"),
}


def _default_url() -> str:
    url = settings.VIBES_API_URL
    return url if "127.0.0.1" in url or "localhost" in url else "http://127.0.0.1:8001"


class Command(BaseCommand):
    help = "Drive a running Vibes simulator through its control API (/_sim/)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=sorted(ACTIONS))
        parser.add_argument("--url", default=None, help="Simulator URL (VIBES_API_URL).")
        parser.add_argument("--token", default=None, help="X-Sim-Token, if the sim wants one.")
        parser.add_argument("--mdn")
        parser.add_argument("--person-key")
        parser.add_argument("--campaign", help="Acquisition campaign id.")
        parser.add_argument("--list", dest="list_id", help="Subscription list id.")
        parser.add_argument("--name", help="List name (action list).")
        parser.add_argument("--reason", help="opt_out_reason for stop.")
        parser.add_argument(
            "--field", action="append", default=[], help="key=value custom field (repeatable)."
        )
        parser.add_argument("--kind", choices=["latency", "status", "timeout", "malformed"])
        parser.add_argument("--status", type=int)
        parser.add_argument("--seconds", type=float)
        parser.add_argument("--count", type=int, help="How many requests (0: until cleared).")
        parser.add_argument("--path", help="Fault only paths containing this.")
        parser.add_argument("--method", help="Fault only this method.")
        parser.add_argument("--rate-limit", type=float, help="Requests/s before 429 (0: none).")
        parser.add_argument("--text", help="What the phone texts (action text).")
        parser.add_argument(
            "--callback-limit", type=int, help="Registrations accepted (action limits; 0: none)."
        )
        parser.add_argument(
            "--delivery-timeout", type=float, help="Seconds a callback URL has to answer."
        )
        parser.add_argument(
            "--retry-schedule", help="Seconds before each callback retry, comma-separated."
        )
        parser.add_argument("--duplicate", type=int)
        parser.add_argument("--retry", type=int)
        parser.add_argument("--out-of-order", type=int)
        parser.add_argument("--hold", action="store_true")
        parser.add_argument("--release", action="store_true")
        parser.add_argument("--callback-url")
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, action, **o):
        method, path = ACTIONS[action]
        body: dict = {}
        query: dict = {}
        if action in {"reply-y", "reply-no", "stop"}:
            body = {"mdn": o["mdn"], "text": {"reply-y": "Y", "reply-no": "NO"}.get(action, "STOP")}
            body.update(
                {
                    k: v
                    for k, v in (
                        ("campaign_id", o["campaign"]),
                        ("list_id", o["list_id"]),
                        ("reason", o["reason"]),
                    )
                    if v
                }
            )
        elif action == "text":
            body = {"mdn": o["mdn"], "text": o["text"]}
        elif action == "carrier-opt-out":
            body = {"mdn": o["mdn"], "reason": o["reason"]}
        elif action == "limits":
            body = {
                "rate_limit": o["rate_limit"],
                "callback_limit": o["callback_limit"],
                "delivery_timeout": o["delivery_timeout"],
            }
            if o["retry_schedule"] is not None:
                try:
                    body["retry_schedule"] = [float(v) for v in o["retry_schedule"].split(",")]
                except ValueError:
                    raise CommandError("--retry-schedule takes seconds, comma-separated") from None
            if all(v is None for v in body.values()):
                method, path = "GET", "/_sim/limits"
        elif action == "person":
            query = {"mdn": o["mdn"]} if o["mdn"] else {"person_key": o["person_key"]}
        elif action == "inbox":
            query = {"mdn": o["mdn"]} if o["mdn"] else {}
        elif action == "subscribe":
            body = {"mdn": o["mdn"], "list_id": o["list_id"]}
        elif action == "update-person":
            fields = dict(item.split("=", 1) for item in o["field"])
            body = {"mdn": o["mdn"], "person_key": o["person_key"], "custom_fields": fields}
        elif action == "list":
            body = {"id": o["list_id"], "name": o["name"], "campaign_id": o["campaign"]}
        elif action == "expire":
            body = {"mdn": o["mdn"], "campaign_id": o["campaign"]}
        elif action == "fault":
            if o["rate_limit"] is not None:
                body["rate_limit"] = o["rate_limit"]
            if o["kind"]:
                body.update({"kind": o["kind"]})
                for key in ("status", "seconds", "path", "method"):
                    if o[key] is not None:
                        body[key] = o[key]
                if o["count"] is not None:
                    body["count"] = o["count"] or None
        elif action == "delivery":
            body = {k: o[k] for k in ("duplicate", "retry", "out_of_order") if o[k] is not None}
            if o["hold"] or o["release"]:
                body["hold"] = o["hold"]
        elif action == "register-callbacks":
            body = {"url": o["callback_url"]}
        elif action == "wait":
            body = {"timeout": o["timeout"]}
        url = (o["url"] or _default_url()).rstrip("/") + path
        if query:
            url += "?" + urlencode(query)
        data = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
        request = urllib.request.Request(  # noqa: S310 - a URL the operator gives
            url,
            data=data if method != "GET" else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                **({"X-Sim-Token": o["token"]} if o["token"] else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=o["timeout"] + 5) as answer:  # noqa: S310
                result = json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise CommandError(f"{exc.code}: {exc.read().decode(errors='replace')}") from None
        except urllib.error.URLError as exc:
            raise CommandError(f"simulator not reachable at {url}: {exc.reason}") from None
        self.stdout.write(json.dumps(result, indent=2))
