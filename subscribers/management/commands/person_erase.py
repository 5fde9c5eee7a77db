"""Erase persons' personal data here and at Vibes, keeping their numbers suppressed."""

from django.core.management.base import BaseCommand, CommandError

from subscribers import phone, services, suppression
from subscribers.models import Person, Source, number_holders


class Command(BaseCommand):
    help = (
        "Erase a person (by local id or mobile number): every list ends, their number, "
        "names, custom fields, external id, evidence and raw callbacks are wiped here, the "
        "number stays on the suppression list as a keyed hash (SUPPRESSION_KEY), and an "
        "erasure push nulls their Vibes record. Recorded in history (source: system). "
        "Safe to run again; the push goes out through the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--person", action="append", default=[], metavar="ID")
        parser.add_argument("--mdn", action="append", default=[], metavar="NUMBER")
        parser.add_argument(
            "--earlier-holders",
            action="store_true",
            help=(
                "With --mdn: also erase persons the number was theirs before (it died on "
                "them and was given to someone else). By default only its current holder."
            ),
        )
        parser.add_argument("--note", default="", help="Why (kept in history).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, person, mdn, note, yes, earlier_holders, **options):
        people = self._persons(person, mdn, earlier_holders=earlier_holders)
        if not people:
            raise CommandError("Name at least one person: --person ID or --mdn NUMBER.")
        if not yes:
            answer = input(f"Erase {len(people)} person(s)? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing erased.")
        for p in people:
            result = services.person_erase(person=p, source=Source.SYSTEM, note=note)
            again = " (erased before; done again)" if result.repeated else ""
            self.stdout.write(
                f"person #{p.pk}: erased{again}; {result.opted_out} list(s) ended, "
                f"{result.numbers} number(s) suppressed, wiped {result.wiped}"
            )

    def _persons(self, ids, numbers, *, earlier_holders: bool = False) -> list[Person]:
        found: dict[int, Person] = {}
        for value in ids:
            if not str(value).isdigit():
                raise CommandError(f"--person takes a local id, not {value!r}.")
            p = Person.objects.filter(pk=int(value)).first()
            if p is None:
                raise CommandError(f"No person #{value}.")
            found[p.pk] = p
        for raw in numbers:
            mdn = phone.normalize_from_vibes(raw)
            # The number's holder now (models/dead_numbers.py: a number that died on
            # someone names them no more), or the person switching to it.
            holders = Person.objects.filter(mdn=mdn) if earlier_holders else number_holders(mdn)
            matches = list(holders) + list(Person.objects.filter(pending_mdn=mdn).exclude(mdn=mdn))
            if not matches:
                state = "suppressed already" if suppression.is_suppressed(mdn) else "unknown"
                raise CommandError(f"No person has the number {phone.mask(mdn)} ({state}).")
            found.update((p.pk, p) for p in matches)
        return list(found.values())
