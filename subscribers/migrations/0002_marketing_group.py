"""The "Marketing" group: what staff who answer "why is this person (not) getting our
texts?" need (the pushes to Vibes included, read-only), and nothing that rewrites history
or raw callbacks.

Permissions are normally created by ``post_migrate``, after every migration has run, so on
a fresh database they do not exist yet here: create them (and their content types) first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Marketing"
PERMISSIONS = [
    ("subscribers", "view_person"),
    ("subscribers", "change_person"),
    ("subscribers", "opt_out_person"),
    ("subscribers", "export_person"),
    ("subscribers", "view_subscriptionlist"),
    ("subscribers", "view_subscription"),
    ("subscribers", "view_subscriptionevent"),
    ("subscribers", "view_customfield"),
    ("subscribers", "view_push"),
    ("callbacks", "view_callbackevent"),
]


def create_group(apps, schema_editor):
    db = schema_editor.connection.alias
    for label in ("subscribers", "callbacks"):
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module; create_permissions skips those.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.using(db).get(
            content_type__app_label=app_label, codename=codename
        )
        group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name=GROUP
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("subscribers", "0001_initial"),
        ("callbacks", "0002_callbackevent_person"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
