"""``manage.py vibes_simulator --port 8001 [--seed-demo] [--state-file F] [--callback-url URL]``.

Its limits are Vibes' unless told otherwise: ``--rate-limit`` / ``SIM_RATE_LIMIT`` and the
others below (README, "The Vibes simulator").
"""

import logging
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulator import keeping
from simulator import server as sim_server
from simulator.texts import event_types_from


def _chosen(option, setting):
    return setting if option is None else option


def _schedule(option: str | None, setting) -> tuple[float, ...]:
    if option is None:
        return tuple(setting)
    try:
        return tuple(float(v) for v in option.split(",") if v.strip())
    except ValueError:
        raise CommandError(f"--retry-schedule takes seconds, comma-separated: {option!r}") from None


class Command(BaseCommand):
    help = (
        "Serve a local Vibes API (persons, subscriptions, lists, acquisition campaigns, "
        "callbacks) with a control API under /_sim/. State lives in memory. Credentials "
        "default to VIBES_COMPANY_KEY / VIBES_USERNAME / VIBES_PASSWORD, so the product "
        "configured for it talks to it unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--company-key", default=None)
        parser.add_argument("--username", default=None)
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--seed-demo",
            action="store_true",
            help="Load the demo account: lists 1234-1237, campaigns 2342312-2342314 "
            "(2342314 single opt-in), the demo_data custom fields and persons.",
        )
        parser.add_argument("--persons", type=int, default=300, help="Demo persons (300).")
        parser.add_argument(
            "--state-file",
            default=None,
            help="Keep the account in this file across restarts: restored at start (instead "
            "of seeding), saved while it changes and at a clean stop.",
        )
        parser.add_argument(
            "--callback-url",
            default=None,
            help="Register every callback type to this URL at start "
            "(e.g. http://127.0.0.1:8000/callbacks/vibes/<token>/).",
        )
        parser.add_argument(
            "--control-token", default=None, help="Require X-Sim-Token on /_sim/ calls."
        )
        parser.add_argument(
            "--rate-limit",
            type=float,
            default=None,
            help="Answer 429 above N requests/s (SIM_RATE_LIMIT, 100; 0: no limit).",
        )
        parser.add_argument(
            "--callback-limit",
            type=int,
            default=None,
            help="Refuse registrations past N (SIM_CALLBACK_LIMIT, 50; 0: no limit).",
        )
        parser.add_argument(
            "--delivery-timeout",
            type=float,
            default=None,
            help="Seconds a callback URL has to answer (SIM_DELIVERY_TIMEOUT, 2).",
        )
        parser.add_argument(
            "--retry-schedule",
            default=None,
            help="Seconds before each retry of a failed callback, comma-separated "
            "(SIM_RETRY_SCHEDULE, 10,60,180,600).",
        )

        parser.add_argument(
            "--event-types",
            default=None,
            help="The Event API's known event types, comma-separated, each NAME or "
            "NAME=template (SIM_EVENT_TYPES; default prefs_number_code, prefs_preference_link).",
        )

    def handle(self, *args, **opts):
        logging.getLogger("simulator").setLevel(logging.INFO)
        sim = sim_server.SimulatorServer(
            company_key=opts["company_key"]
            or settings.VIBES_COMPANY_KEY
            or sim_server.DEFAULT_COMPANY_KEY,
            username=opts["username"] or settings.VIBES_USERNAME or sim_server.DEFAULT_USERNAME,
            password=opts["password"] or settings.VIBES_PASSWORD or sim_server.DEFAULT_PASSWORD,
            host=opts["host"],
            port=opts["port"],
            control_token=opts["control_token"],
            rate_limit=_chosen(opts["rate_limit"], settings.SIM_RATE_LIMIT) or None,
            callback_limit=_chosen(opts["callback_limit"], settings.SIM_CALLBACK_LIMIT) or None,
            delivery_timeout=_chosen(opts["delivery_timeout"], settings.SIM_DELIVERY_TIMEOUT),
            retry_schedule=_schedule(opts["retry_schedule"], settings.SIM_RETRY_SCHEDULE),
            event_types=event_types_from(
                opts["event_types"].split(",") if opts["event_types"] else settings.SIM_EVENT_TYPES
            )
            or None,
        )
        kept = Path(opts["state_file"]) if opts["state_file"] else None
        if kept and keeping.load(sim.state, kept):
            self.stdout.write(f"Restored the account kept in {kept}.")
        elif opts["seed_demo"]:
            counts = sim.seed_demo(persons=opts["persons"])
            self.stdout.write(f"Seeded the demo account: {counts}")
        if opts["callback_url"]:
            made = sim.register_callbacks(opts["callback_url"])
            self.stdout.write(f"Registered {len(made)} callbacks to the given URL.")
        signal.signal(signal.SIGTERM, lambda *_: sim.stopped.set())
        sim.start()
        keeper = keeping.keep(sim.state, kept, sim.stopped) if kept else None
        self.stdout.write(
            self.style.SUCCESS(
                f"Vibes simulator on {sim.url} (company {sim.company_key}); "
                f"control API at {sim.url}/_sim/state"
            )
        )
        self.stdout.flush()
        try:
            sim.stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            sim.stopped.set()
            if keeper:
                keeper.join(timeout=10)
            sim.stop()
            self.stdout.write("Vibes simulator stopped.")
