"""Flag reasons were stored as words, in the language of whoever caused the flag; they are now
codes, translated when shown. Known words (English or Spanish, as written here: a later change
of the catalogue does not change this migration) become their code; anything else is kept as it
is and still shown."""

from django.db import migrations

WORDS = {
    "declined": ["a contact declined", "un contacto no aceptó"],
    "left": ["a contact left the circle", "un contacto dejó el círculo"],
    "ineligible": [
        "a contact can no longer be in the circle (they left the community or closed their "
        "account)",
        "un contacto ya no puede estar en el círculo (dejó la comunidad o cerró su cuenta)",
    ],
    "trust": [
        "a contact's trust level fell below what care circles ask for",
        "el nivel de confianza de un contacto bajó del que piden los círculos de cuidado",
    ],
    "contact_number": [
        "an outside contact's phone number is wrong or no longer works (from the call list)",
        "el teléfono de un contacto de fuera es incorrecto o ya no funciona (desde la lista de "
        "llamadas)",
    ],
}


def to_codes(apps, schema_editor):
    CarePlan = apps.get_model("care", "CarePlan")
    for code, words in WORDS.items():
        CarePlan.objects.filter(flag_reason__in=[w[:300] for w in words]).update(flag_reason=code)


class Migration(migrations.Migration):
    dependencies = [("care", "0004_drill_until_and_contact_consent")]

    operations = [migrations.RunPython(to_codes, migrations.RunPython.noop)]
