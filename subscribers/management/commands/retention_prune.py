"""Empty what is past its retention: callback and push bodies, old consent evidence."""

from django.core.management.base import BaseCommand

from subscribers.repair.retention import retention_prune


class Command(BaseCommand):
    help = (
        "Empty raw callback bodies and push attempt bodies older than RETENTION_BODY_DAYS, "
        "and the evidence columns of history rows older than RETENTION_CONSENT_DAYS (the "
        "rows stay). Runs in batches of RETENTION_BATCH_SIZE; beat runs it hourly. Without "
        "--once, runs until nothing is left."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=None)
        parser.add_argument("--once", action="store_true", help="One bounded run only.")

    def handle(self, *args, batch, once, **options):
        while True:
            result = retention_prune(batch=batch)
            self.stdout.write(result.summary())
            if once or not result.more:
                return
