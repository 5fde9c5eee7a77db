"""Register this service's callback URL with Vibes, as planned within Vibes' limit.

The plan (callbacks/plan.py) puts every list's opt-outs first and cuts at
VIBES_CALLBACK_LIMIT; what does not fit is printed, by type, with the lists and campaigns
left blind to it. Safe to run again: what is registered already is left alone, and a run
that changes nothing says so. Our own registrations the plan no longer wants are ended;
``--prune`` also ends this host's registrations whose token was rotated out of
CALLBACK_TOKENS. ``--test`` fires one test event of every registered type.
"""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from callbacks.plan import UNMATCHED, parse_source_codes
from callbacks.registering import Applied, parent_client, registrations_apply
from callbacks.registration import callback_label, callback_url, probe_event_body
from subscribers.models import SubscriptionList
from subscribers.vibes import VibesClient, VibesError
from subscribers.vibes.errors import CredentialsRefused

REFUSED = (
    "Vibes refused the credentials ({status}): check VIBES_USERNAME, VIBES_PASSWORD, "
    "VIBES_COMPANY_KEY and VIBES_PARENT_COMPANY_KEY (a 403 is usually a company key the "
    "user may not use). Nothing was changed after this point."
)
SCOPE_NOUN = {"list_id": "list", "campaign_id": "campaign"}


class Command(BaseCommand):
    help = (
        "Register <base-url>/callbacks/vibes/<first CALLBACK_TOKENS token>/ with Vibes within "
        "VIBES_CALLBACK_LIMIT: subscription_removed of every list first, then person_*, "
        "unmatched_message_received (one per VIBES_SOURCE_CODES code, with "
        "VIBES_PARENT_COMPANY_KEY) and event_processed, then subscription_added per list, "
        "ack_participant_* per campaign, subscription_list_*. Prints what did not fit. "
        "--prune ends this host's registrations whose token is no longer in CALLBACK_TOKENS; "
        "--test fires one test event of every registered type."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=None,
            help="e.g. https://prefs.example.com (default VIBES_CALLBACK_BASE_URL, which the "
            "worker keeps registrations at)",
        )
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
        try:
            parse_source_codes(settings.VIBES_SOURCE_CODES)
        except ValueError as exc:
            raise CommandError(f"VIBES_SOURCE_CODES: {exc}") from exc
        base_url = base_url or settings.VIBES_CALLBACK_BASE_URL
        if base_url.rstrip("/") != settings.VIBES_CALLBACK_BASE_URL.rstrip("/"):
            self.stderr.write(
                f"note      --base-url is not VIBES_CALLBACK_BASE_URL "
                f"({settings.VIBES_CALLBACK_BASE_URL}): the worker keeps registrations at the "
                "latter (a new list, the daily repair); set it to this base URL."
            )
        url = callback_url(base_url, tokens[0])
        self.shown = url.replace(tokens[0], "<token>")
        client = VibesClient.from_settings()
        self.errors = 0
        try:
            applied = registrations_apply(
                url=url, base_url=base_url, tokens=tokens, client=client, prune=prune
            )
            self._report(applied)
            tests = self._test(applied, client) if test else None
        except CredentialsRefused as exc:
            raise CommandError(REFUSED.format(status=exc.status)) from exc
        except VibesError as exc:
            raise CommandError(f"Vibes did not list its registrations or lists: {exc}") from exc
        counts = {
            "registered": len(applied.created),
            "already there": len(applied.kept),
            "ended": len(applied.ended),
            "left out": len(applied.plan.left_out),
            "errors": self.errors,
        }
        if prune:
            counts["pruned"] = len(applied.pruned)
        if tests is not None:
            counts["tests fired"] = tests
        if not applied.changed and not self.errors:
            self.stdout.write(
                f"Nothing to change: all {len(applied.kept)} registrations are there already."
            )
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        if self.errors:
            raise CommandError(f"{self.errors} call(s) to Vibes failed; see above.")

    def _report(self, applied: Applied) -> None:
        for wanted, _ in applied.kept:
            self.stdout.write(f"skip      {wanted.label} (already registered)")
        for cb in applied.ended:
            self.stdout.write(
                f"end       {callback_label(cb)} (id {cb.get('callback_id')}): no longer planned"
            )
        for cb in applied.pruned:
            self.stdout.write(
                f"prune     {callback_label(cb)} (id {cb.get('callback_id')}): its token is no "
                "longer in CALLBACK_TOKENS"
            )
        for wanted, callback_id in applied.created:
            self.stdout.write(f"register  {wanted.label} -> {self.shown} (id {callback_id or '?'})")
        for what, error in applied.failed:
            self.errors += 1
            self.stderr.write(f"error     {what}: {error}")
        self._left_out(applied)

    def _left_out(self, applied: Applied) -> None:
        left = applied.plan.left_out
        if not left:
            return
        room = settings.VIBES_CALLBACK_LIMIT - applied.occupied
        self.stdout.write(
            f"Left out: {len(left)} registration(s) do not fit in VIBES_CALLBACK_LIMIT="
            f"{settings.VIBES_CALLBACK_LIMIT} ({applied.occupied} taken by registrations that "
            f"are not this URL's, {max(room, 0)} for the plan). Blind to each callback:"
        )
        names = dict(SubscriptionList.objects.values_list("list_id", "name"))
        by_type: dict[str, list[str]] = defaultdict(list)
        nouns: dict[str, str] = {}
        for wanted in left:
            shown = wanted.scope
            if wanted.scope in names and wanted.callback_type.startswith("subscription_"):
                shown = f"{wanted.scope} ({names[wanted.scope]})"
            by_type[wanted.callback_type].append(shown)
            filt = wanted.filter() or {}
            nouns[wanted.callback_type] = next((SCOPE_NOUN[k] for k in filt if k in SCOPE_NOUN), "")
        for kind, scopes in by_type.items():
            noun = nouns[kind]
            what = f"{noun}s {', '.join(scopes)}" if noun else "the whole account"
            self.stdout.write(f"left out  {kind}: {what}")
        if applied.plan.uncovered("subscription_removed"):
            self.stdout.write(
                "Opt-outs of those lists reach no callback: the uncovered-lists sweep re-reads "
                "their subscribers from Vibes, and the admin says so under Needs attention."
            )

    def _test(self, applied: Applied, client: VibesClient) -> int:
        """One test event of every registered type, through the first registration of it."""
        fired, seen = 0, set()
        parent = parent_client(client)
        for wanted, _ in applied.present:
            if wanted.callback_type in seen:
                continue
            seen.add(wanted.callback_type)
            if wanted.callback_type == UNMATCHED:
                # The test API's request types (the excerpt's testcallbackRequest-*) have
                # no unmatched message: a real text to the code is the test.
                self.stdout.write(
                    f"test      {wanted.label}: Vibes' test API has none; text a word that "
                    f"is no keyword to {wanted.scope} from a phone"
                )
                continue
            sender = parent if wanted.parent else client
            try:
                answer = sender.test_callback(probe_event_body(wanted.callback_type, wanted.scope))
            except CredentialsRefused:
                raise
            except VibesError as exc:
                self.errors += 1
                self.stderr.write(f"test      {wanted.label}: refused, {exc}")
                continue
            fired += 1
            self.stdout.write(
                f"test      {wanted.label}: fired (event {answer.get('event_id') or '?'})"
            )
        return fired
