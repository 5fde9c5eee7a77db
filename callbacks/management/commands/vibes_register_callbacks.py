"""Register this service's callback URL with Vibes for every callback type it handles.

Safe to run again: what is registered already is left alone, and a run that changes
nothing says so. ``--prune`` ends the registrations of this host's callback URL whose
token was rotated out of CALLBACK_TOKENS; ``--test`` fires a test event through each
registration and reports Vibes' answer.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from callbacks.registration import (
    callback_identity,
    callback_label,
    callback_url,
    probe_event_body,
    stale_registrations,
    wanted_callbacks,
)
from subscribers.vibes import NotFound, VibesClient, VibesError
from subscribers.vibes.errors import CredentialsRefused

REFUSED = (
    "Vibes refused the credentials ({status}): check VIBES_USERNAME, VIBES_PASSWORD and "
    "VIBES_COMPANY_KEY (a 403 is usually a company key the user may not use). Nothing "
    "was changed after this point."
)


class Command(BaseCommand):
    help = (
        "Register <base-url>/callbacks/vibes/<first CALLBACK_TOKENS token>/ with Vibes for "
        "person_*, subscription_list_*, unmatched_message_received, subscription_added/"
        "removed (one per list) and ack_participant_* (one per acquisition campaign). "
        "Registrations that already exist are left alone. --prune ends this host's "
        "registrations whose token is no longer in CALLBACK_TOKENS; --test fires a test "
        "event through each registration and reports Vibes' answer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True, help="e.g. https://prefs.example.com")
        parser.add_argument("--test", action="store_true", help="Fire Vibes' test events too.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="End registrations of <base-url>/callbacks/vibes/ with a rotated-out token.",
        )

    def handle(self, *args, base_url, test, prune, **options):
        tokens = settings.CALLBACK_TOKENS
        if not tokens:
            raise CommandError("CALLBACK_TOKENS is empty: set it before registering callbacks.")
        url = callback_url(base_url, tokens[0])
        self.shown = url.replace(tokens[0], "<token>")
        self.client = VibesClient.from_settings()
        self.counts = {"registered": 0, "already there": 0, "errors": 0}
        try:
            registered = self._call("list the callbacks", self.client.list_callbacks)
            existing = {callback_identity(cb) for cb in registered}
            wanted = wanted_callbacks(url)
            for cb in wanted:
                self._register(cb, existing)
            if prune:
                self._prune(registered, base_url, tokens)
            if test:
                self._test(wanted)
        except CredentialsRefused as exc:
            raise CommandError(REFUSED.format(status=exc.status)) from exc
        changed = self.counts["registered"] + self.counts.get("pruned", 0)
        if not changed and not self.counts["errors"]:
            self.stdout.write(
                f"Nothing to change: all {len(wanted)} registrations are there already."
            )
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in self.counts.items()))
        if self.counts["errors"]:
            raise CommandError(f"{self.counts['errors']} call(s) to Vibes failed; see above.")

    def _call(self, what: str, func, *args):
        try:
            return func(*args)
        except CredentialsRefused:
            raise
        except VibesError as exc:
            raise CommandError(f"Vibes did not {what}: {exc}") from exc

    def _register(self, cb: dict, existing: set) -> None:
        label = callback_label(cb)
        if callback_identity(cb) in existing:
            self.counts["already there"] += 1
            self.stdout.write(f"skip      {label} (already registered)")
            return
        try:
            answer = self.client.register_callback(cb)
        except CredentialsRefused:
            raise
        except VibesError as exc:
            self.counts["errors"] += 1
            self.stderr.write(f"error     {label}: {exc}")
            return
        self.counts["registered"] += 1
        existing.add(callback_identity(cb))
        self.stdout.write(
            f"register  {label} -> {self.shown} (id {answer.get('callback_id') or '?'})"
        )

    def _prune(self, registered: list[dict], base_url: str, tokens: list[str]) -> None:
        self.counts["pruned"] = 0
        for cb in stale_registrations(registered, base_url, tokens):
            label = f"{callback_label(cb)} (id {cb.get('callback_id')})"
            try:
                self.client.delete_callback(str(cb.get("callback_id")))
            except NotFound:
                pass  # ended meanwhile: what pruning wants
            except CredentialsRefused:
                raise
            except VibesError as exc:
                self.counts["errors"] += 1
                self.stderr.write(f"error     pruning {label}: {exc}")
                continue
            self.counts["pruned"] += 1
            self.stdout.write(f"prune     {label}: its token is no longer in CALLBACK_TOKENS")

    def _test(self, wanted: list[dict]) -> None:
        self.counts["tests fired"] = 0
        for cb in wanted:
            label = callback_label(cb)
            try:
                answer = self.client.test_callback(probe_event_body(cb))
            except CredentialsRefused:
                raise
            except VibesError as exc:
                self.counts["errors"] += 1
                self.stderr.write(f"test      {label}: refused, {exc}")
                continue
            self.counts["tests fired"] += 1
            self.stdout.write(f"test      {label}: fired (event {answer.get('event_id') or '?'})")
