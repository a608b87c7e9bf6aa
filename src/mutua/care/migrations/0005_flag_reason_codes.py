"""Flag reasons were stored as words, in the language of whoever caused the flag; they are now
codes, translated when shown. Known words (English or Spanish) become their code; anything else
is kept as it is and still shown."""

from django.db import migrations
from django.utils import translation

WORDS = {
    "declined": "a contact declined",
    "left": "a contact left the circle",
    "ineligible": (
        "a contact can no longer be in the circle (they left the community or closed their account)"
    ),
    "trust": "a contact's trust level fell below what care circles ask for",
    "contact_number": (
        "an outside contact's phone number is wrong or no longer works (from the call list)"
    ),
    "person_number": (
        "the person's own phone number is wrong or no longer works (from the call list); "
        "they can change it on their private details page"
    ),
}


def to_codes(apps, schema_editor):
    CarePlan = apps.get_model("care", "CarePlan")
    for code, english in WORDS.items():
        known = {english}
        with translation.override("es"):
            known.add(translation.gettext(english))
        CarePlan.objects.filter(flag_reason__in=[w[:300] for w in known]).update(flag_reason=code)


class Migration(migrations.Migration):
    dependencies = [("care", "0004_drill_until_and_contact_consent")]

    operations = [migrations.RunPython(to_codes, migrations.RunPython.noop)]
