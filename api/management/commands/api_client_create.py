"""``manage.py api_client_create NAME --scopes consent:read subscriptions:write``: make an
API client (or give an existing one these scopes) and print a new key, once."""

from django.core.management.base import BaseCommand, CommandError

from api.keys import key_issue
from api.models import ApiClient, Scope


class Command(BaseCommand):
    help = "Create an API client and print a new key for it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scopes",
            nargs="+",
            default=[],
            choices=Scope.values,
            metavar="SCOPE",
            help=f"Any of: {', '.join(Scope.values)}.",
        )

    def handle(self, *args, name, scopes, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("The name must be 1 to 100 characters.")
        client, created = ApiClient.objects.get_or_create(name=name)
        if scopes:
            client.scopes = sorted(set(scopes))
            client.save(update_fields=["scopes"])
        key = key_issue(client=client, created_by="api_client_create")
        what = "Created" if created else "New key for"
        self.stderr.write(f"{what} API client {client.name!r} with scopes {client.scopes}.")
        self.stderr.write("The key is shown only now; keep it in the client's secret store:")
        self.stdout.write(key)
