# The text-message source (0008) on the compliance models of 0007: choices only, no table change.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('subscribers', '0008_revocation_and_dead_numbers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='optoutdeadline',
            name='source',
            field=models.CharField(choices=[('vibes_callback', 'Vibes callback'), ('preference_page', 'Preference page'), ('admin', 'Admin'), ('import', 'Subscription extract import'), ('reconcile', 'Reconcile with Vibes'), ('push', 'Push to Vibes'), ('system', 'System'), ('text_message', 'Text message from the phone')], max_length=32, verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='suppressionhit',
            name='source',
            field=models.CharField(choices=[('vibes_callback', 'Vibes callback'), ('preference_page', 'Preference page'), ('admin', 'Admin'), ('import', 'Subscription extract import'), ('reconcile', 'Reconcile with Vibes'), ('push', 'Push to Vibes'), ('system', 'System'), ('text_message', 'Text message from the phone')], max_length=32, verbose_name='source'),
        ),
    ]
