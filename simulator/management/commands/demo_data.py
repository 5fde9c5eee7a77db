"""Load demo data: lists, custom fields, a few hundred persons with history, a staff login."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from simulator.demo import (
    DEMO_PASSWORD,
    DEMO_START,
    DEMO_USERNAME,
    FIELDS,
    LISTS,
    SINGLE_OPT_IN,
    SPANISH_FIELDS,
    SPANISH_LISTS,
    SPANISH_OPTIONS,
    demo_people,
)
from subscribers import services
from subscribers.models import CustomField, Person, Source
from subscribers.services import VibesIdentity


class Command(BaseCommand):
    help = "Load demo lists, custom fields and persons with opt-in history (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--persons", type=int, default=300, help="How many persons (default 300)."
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")

    def handle(self, *args, persons, seed, **options):
        lists = []
        for list_id, name, campaign, public, description in LISTS:
            sub_list, _ = services.subscription_list_upsert(
                list_id=list_id,
                name=name,
                acquisition_campaign_id=campaign,
                is_public=public,
                public_description=description,
                name_es=SPANISH_LISTS.get(list_id, ("", ""))[0],
                public_description_es=SPANISH_LISTS.get(list_id, ("", ""))[1],
                confirms_by_text=campaign not in SINGLE_OPT_IN,
            )
            lists.append(sub_list)
        for position, (key, label, field_type, options, editable) in enumerate(FIELDS):
            CustomField.objects.update_or_create(
                key=key,
                defaults={
                    "label": label,
                    "label_es": SPANISH_FIELDS.get(key, ""),
                    "field_type": field_type,
                    "options": [
                        {**o, "label_es": SPANISH_OPTIONS[o["key"]]}
                        if o["key"] in SPANISH_OPTIONS
                        else o
                        for o in options
                    ],
                    "subscriber_editable": editable,
                    "position": position,
                },
            )
        existing = Person.objects.filter(person_key__startswith="demo-").count()
        created = 0
        by_id = {sub_list.list_id: sub_list for sub_list in lists}
        for demo in demo_people(persons, seed):
            if int(demo.person_key.removeprefix("demo-")) < existing:
                continue
            with transaction.atomic():
                person, _ = services.person_upsert_from_vibes(
                    identity=VibesIdentity(
                        person_key=demo.person_key,
                        vibes_person_id=demo.vibes_person_id,
                        external_person_id=demo.external_person_id,
                        mdn=demo.mdn,
                    ),
                    source=Source.IMPORT,
                    occurred_at=DEMO_START,
                    custom_fields=demo.custom_fields,
                )
                for sub in demo.subscriptions:
                    sub_list = by_id[sub.list_id]
                    services.subscription_activate(
                        person=person,
                        subscription_list=sub_list,
                        source=Source.VIBES_CALLBACK,
                        occurred_at=sub.opted_in,
                        opt_in_date=sub.opted_in,
                        acquisition_campaign_id=sub_list.acquisition_campaign_id,
                    )
                    if sub.opted_out:
                        services.subscription_cancel(
                            person=person,
                            subscription_list=sub_list,
                            source=Source.VIBES_CALLBACK,
                            occurred_at=sub.opted_out,
                            opt_out_reason=sub.opt_out_reason,
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
