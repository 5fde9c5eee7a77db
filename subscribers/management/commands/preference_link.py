"""Print a person's preference link: ``manage.py preference_link --mdn … | --external-id …``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subscribers import phone
from subscribers.models import Person
from subscribers.preferences import links


class Command(BaseCommand):
    help = "Print the full preference link (built on SITE_URL) of one person."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--mdn", help="The mobile number, as typed (e.g. '(415) 555-0132').")
        who.add_argument("--external-id", help="This company's external person id.")

    def handle(self, *args, mdn=None, external_id=None, **options):
        if mdn is not None:
            try:
                number = phone.normalize_typed(mdn)
            except ValidationError:
                number = phone.normalize_for_search(mdn)
            if not number:
                raise CommandError(f"{mdn!r} is not a phone number.")
            matches = list(Person.objects.filter(mdn=number).order_by("id")[:6])
            described = f"number {phone.mask(number)}"
        else:
            matches = list(Person.objects.filter(external_person_id=external_id.strip())[:2])
            described = f"external id {external_id!r}"
        if not matches:
            raise CommandError(f"No person has {described}.")
        if len(matches) > 1:
            ids = ", ".join(f"#{p.pk}" for p in matches[:5])
            raise CommandError(
                f"{len(matches) if len(matches) < 6 else 'More than 5'} persons have "
                f"{described} ({ids}); use --external-id to pick one."
            )
        self.stdout.write(links.preference_url(matches[0]))
