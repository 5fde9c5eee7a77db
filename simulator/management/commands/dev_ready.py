"""``manage.py dev_ready``: the last step of ``make run``.

``--preflight`` (before the processes start): make the embedded broker's folders, drop
the beat schedule a killed run may have left half-written, stop early with a clear
message when a port is taken (usually an earlier run still going), and write what `make
run` set to ``DEV_ENV_FILE`` (``var/dev.env``), which the settings read in a second
terminal that says ``DEV_ENV=1``: every command printed (it says so) then works there as
it is, on whatever ports.

Without it (a process in Procfile.dev): wait for the simulator and the web server,
register the simulator's callbacks to the web server (one line, not one per callback),
print where to go once the other processes have had their say, then stay up (honcho stops
everything when any process ends; Ctrl-C stops it all). ``--print`` prints that again.
"""

import contextlib
import io
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from simulator.demo import DEMO_PASSWORD, DEMO_USERNAME
from subscribers.models import Person, Subscription
from subscribers.preferences.links import preference_url

# What `make run` sets that a command in a second terminal needs too.
DEV_ENV = (
    "DEBUG",
    "WEB_PORT",
    "SIM_PORT",
    "SITE_URL",
    "VIBES_API_URL",
    "VIBES_COMPANY_KEY",
    "VIBES_USERNAME",
    "VIBES_PASSWORD",
    "VIBES_SOURCE_CODES",
    "CALLBACK_TOKENS",
    "NUMBER_CODE_SENDER",
    "VIBES_EVENT_TYPE_NUMBER_CODE",
    "VIBES_EVENT_TYPE_PREFERENCE_LINK",
    "DATABASE_URL",
    "REDIS_URL",
)


def _get(url: str, timeout: float = 2.0):
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - local URLs
        return answer.status, answer.read()


def _post_json(url: str, body: dict):
    request = urllib.request.Request(  # noqa: S310 - local URL
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())


def _port_taken(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) == 0


class Command(BaseCommand):
    help = "Prepare for and announce `make run`: web, worker, beat and the Vibes simulator."

    def add_arguments(self, parser):
        parser.add_argument("--preflight", action="store_true", help="Run before starting.")
        parser.add_argument(
            "--register",
            choices=["auto", "command", "simulator", "none"],
            default="auto",
            help="How to register callbacks: the product's vibes_register_callbacks command "
            "(auto picks it when it exists), or the simulator's control API.",
        )
        parser.add_argument("--timeout", type=float, default=90.0)
        parser.add_argument("--exit", action="store_true", help="Exit after announcing.")
        parser.add_argument(
            "--print", action="store_true", help="Print where to go again (from any terminal)."
        )
        parser.add_argument(
            "--settle",
            type=float,
            default=3.0,
            help="Seconds to let the other processes' start-up logs pass before announcing.",
        )

    def handle(self, *args, preflight, register, timeout, exit, settle, **options):
        site, sim = settings.SITE_URL.rstrip("/"), settings.VIBES_API_URL.rstrip("/")
        if preflight:
            return self.preflight()
        if options["print"]:
            return self.announce(site, sim)
        self.wait_for(f"{sim}/_sim/health", "the Vibes simulator", timeout)
        self.wait_for(f"{site}/healthz", "the web server", timeout)
        self.register(register, site, sim)
        time.sleep(settle)  # the worker's and beat's banners come first, then this
        self.announce(site, sim)
        if not exit:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()

    def preflight(self):
        for url, port in ((settings.SITE_URL, "WEB_PORT"), (settings.VIBES_API_URL, "SIM_PORT")):
            if _port_taken(url):
                raise CommandError(
                    f"{url} is already answering: is an earlier `make run` still going? "
                    f"Stop it, or start on another port: `{port}=8400 make run`."
                )
        broker = settings.CELERY_EMBEDDED_BROKER_DIR
        for folder in (broker / "queue", broker / "processed", broker / "control"):
            folder.mkdir(parents=True, exist_ok=True)
        for stale in settings.VAR_DIR.glob("celerybeat-schedule*"):
            stale.unlink()  # only last-run times; a half-written one stops beat
        self.write_dev_env()
        self.stdout.write("Ready to start web, worker, beat and the simulator.")

    def write_dev_env(self) -> None:
        """What `make run` set, for a second terminal (config/settings/base.py reads it)."""
        if not settings.DEV_ENV_FILE:
            return
        path = Path(settings.DEV_ENV_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# Written by `make run` for commands in another terminal; safe to delete."]
        lines += [f"{name}={os.environ[name]}" for name in DEV_ENV if os.environ.get(name)]
        path.write_text("\n".join(lines) + "\n")

    def wait_for(self, url: str, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if _get(url)[0] == 200:
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise CommandError(f"{what} did not answer {url} within {timeout:.0f}s")

    def register(self, how: str, site: str, sim: str) -> None:
        if how == "none":
            return
        if how in {"auto", "command"} and "vibes_register_callbacks" in get_commands():
            try:
                lines = io.StringIO()
                call_command("vibes_register_callbacks", "--base-url", site, stdout=lines)
                summary = lines.getvalue().strip().splitlines()
                self.stdout.write(summary[-1] if summary else "Callbacks registered.")
                return
            except Exception as exc:  # noqa: BLE001 - fall back, but say why
                if how == "command":
                    raise
                self.stderr.write(f"vibes_register_callbacks failed ({exc}); using the sim.")
        if not settings.CALLBACK_TOKENS:
            raise CommandError("CALLBACK_TOKENS is empty: no callback URL to register.")
        url = f"{site}/callbacks/vibes/{settings.CALLBACK_TOKENS[0]}/"
        made = _post_json(f"{sim}/_sim/register-callbacks", {"url": url})["registered"]
        self.stdout.write(f"Registered {len(made)} simulator callbacks to {site}/callbacks/…")

    def announce(self, site: str, sim: str) -> None:
        person = (
            Person.objects.filter(
                person_key__startswith="demo-", subscriptions__status=Subscription.Status.ACTIVE
            )
            .order_by("person_key")
            .first()
        )
        link = preference_url(person, base_url=site) if person else "(run demo_data first)"
        ok = self.style.SUCCESS
        self.stdout.write(
            "\n".join(
                [
                    "",
                    ok("The whole loop is up."),
                    f"  Admin:            {site}/admin/   login {DEMO_USERNAME} / {DEMO_PASSWORD}",
                    f"  Preference page:  {link}",
                    f"  Vibes simulator:  {sim}  (state: {sim}/_sim/state)",
                    "  Join a list on that page, then answer the confirmation text (in another",
                    "  terminal, in this folder):",
                    "    DEV_ENV=1 .venv/bin/python manage.py vibes_simulator_ctl reply-y "
                    f"--url {sim} --mdn {person.mdn if person else '+1…'}",
                    "  See this again: DEV_ENV=1 .venv/bin/python manage.py dev_ready --print",
                    "  Ctrl-C stops everything.",
                    "",
                ]
            )
        )
        self.stdout.flush()
