"""On-call shifts get a public id, so the rota page and API can end one without a guessable
id. Added nullable, filled row by row, then made unique (one default would repeat)."""

from django.db import migrations, models

import mutua.core.ids


def fill_public_ids(apps, schema_editor):
    OnCallShift = apps.get_model("care", "OnCallShift")
    for shift in OnCallShift.objects.filter(public_id__isnull=True).only("pk"):
        shift.public_id = mutua.core.ids.new_public_id()
        shift.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_ladder_contacts_and_failing"),
    ]

    operations = [
        migrations.AddField(
            model_name="oncallshift",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="oncallshift",
            name="public_id",
            field=models.CharField(
                default=mutua.core.ids.new_public_id, editable=False, max_length=16, unique=True
            ),
        ),
    ]
