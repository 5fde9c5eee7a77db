"""Load demo data: lists, custom fields, a few hundred persons with history, a staff login."""

import random
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from subscribers import services
from subscribers.models import CustomField, Person, Source
from subscribers.services import VibesIdentity

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-preferences-2026"  # noqa: S105 - printed for local demos only

LISTS = [
    ("1234", "Weekly deals", "2342312", True, "One text a week with our best offers."),
    ("1235", "Store events", "2342313", True, "Invitations to openings and in-store events."),
    ("1236", "Order updates", "2342314", True, "Shipping and pick-up notices for your orders."),
    ("1237", "Staff alerts", "", False, ""),
]
FIELDS = [
    ("first_name", "First name", "text", [], True),
    ("last_name", "Last name", "text", [], True),
    ("birthday", "Birthday", "date", [], True),
    (
        "favorite_store",
        "Favourite store",
        "single_select",
        [
            {"key": "downtown", "label": "Downtown"},
            {"key": "riverside", "label": "Riverside"},
            {"key": "airport", "label": "Airport"},
        ],
        True,
    ),
    ("loyalty_tier", "Loyalty tier", "text", [], False),
]
FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "José",
    "Kim",
    "Lena",
]
LAST = ["Garcia", "Smith", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Diaz"]
REASONS = ["user_opt_out", "keyword_opt_out", "disconnect", "button_opt_out"]


class Command(BaseCommand):
    help = "Load demo lists, custom fields and persons with opt-in history (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--persons", type=int, default=300, help="How many persons (default 300)."
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")

    def handle(self, *args, persons, seed, **options):
        rng = random.Random(seed)
        lists = []
        for list_id, name, campaign, public, description in LISTS:
            sub_list, _ = services.subscription_list_upsert(
                list_id=list_id,
                name=name,
                acquisition_campaign_id=campaign,
                is_public=public,
                public_description=description,
            )
            lists.append(sub_list)
        for position, (key, label, field_type, options, editable) in enumerate(FIELDS):
            CustomField.objects.update_or_create(
                key=key,
                defaults={
                    "label": label,
                    "field_type": field_type,
                    "options": options,
                    "subscriber_editable": editable,
                    "position": position,
                },
            )
        existing = Person.objects.filter(person_key__startswith="demo-").count()
        created = 0
        start = datetime(2026, 6, 1, tzinfo=UTC)
        for n in range(existing, persons):
            with transaction.atomic():
                person, _ = services.person_upsert_from_vibes(
                    identity=VibesIdentity(
                        person_key=f"demo-{n:05d}",
                        external_person_id=f"crm-{10000 + n}",
                        mdn=f"+1299555{n:04d}",
                    ),
                    source=Source.IMPORT,
                    occurred_at=start,
                    custom_fields={
                        "first_name": rng.choice(FIRST),
                        "last_name": rng.choice(LAST),
                        "favorite_store": rng.choice(["downtown", "riverside", "airport"]),
                    },
                )
                for sub_list in rng.sample(lists[:3], k=rng.randint(1, 3)):
                    opted_in = start + timedelta(
                        days=rng.randint(0, 150), minutes=rng.randint(0, 1440)
                    )
                    services.subscription_activate(
                        person=person,
                        subscription_list=sub_list,
                        source=Source.VIBES_CALLBACK,
                        occurred_at=opted_in,
                        opt_in_date=opted_in,
                        acquisition_campaign_id=sub_list.acquisition_campaign_id,
                    )
                    if rng.random() < 0.25:
                        opted_out = opted_in + timedelta(days=rng.randint(1, 30))
                        services.subscription_cancel(
                            person=person,
                            subscription_list=sub_list,
                            source=Source.VIBES_CALLBACK,
                            occurred_at=opted_out,
                            opt_out_reason=rng.choice(REASONS),
                        )
            created += 1
        user_model = get_user_model()
        user, user_created = user_model.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True},
        )
        if user_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(lists)} lists, {len(FIELDS)} custom fields, "
                f"{created} persons added ({existing + created} in all)."
            )
        )
        self.stdout.write(f"Admin login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
