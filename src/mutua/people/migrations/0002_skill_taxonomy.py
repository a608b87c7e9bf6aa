"""The shared skill taxonomy: global skills (community null) every community starts with."""

from django.db import migrations
from django.utils.text import slugify

TAXONOMY = {
    "Errands & shopping": [
        "Grocery shopping",
        "Collecting prescriptions",
        "Posting letters and parcels",
        "Picking up and dropping off items",
    ],
    "Transport": [
        "Lifts to appointments",
        "School runs",
        "Moving bulky items",
        "Accompanying on public transport",
    ],
    "Care & companionship": [
        "Friendly phone calls",
        "Visits and a cup of tea",
        "Walks and outings",
        "Company after a hospital stay",
    ],
    "Home & garden repairs": [
        "Small repairs around the house",
        "Furniture assembly",
        "Gardening",
        "Decorating",
        "Bike repair",
    ],
    "Cooking & food": [
        "Cooking meals",
        "Batch cooking for the freezer",
        "Baking",
        "Cooking for special diets",
    ],
    "Languages & translation": [
        "Interpreting at appointments",
        "Translating letters",
        "English conversation practice",
    ],
    "Digital help": [
        "Smartphone help",
        "Setting up video calls",
        "Online forms and accounts",
        "Computer troubleshooting",
    ],
    "Paperwork & admin": [
        "Reading and writing letters",
        "Benefits and grant applications",
        "Budgeting help",
    ],
    "Childcare & education": [
        "Babysitting",
        "Homework help",
        "Reading with children",
        "Maths tutoring",
    ],
    "Health & wellbeing (non-clinical)": [
        "A listening ear",
        "Exercise buddy",
        "Going along to appointments",
    ],
    "Animals": [
        "Dog walking",
        "Pet sitting",
        "Feeding pets while someone is away",
    ],
}


def forwards(apps, schema_editor):
    Skill = apps.get_model("people", "Skill")
    for category, names in TAXONOMY.items():
        for name in names:
            Skill.objects.get_or_create(
                community=None, slug=slugify(name), defaults={"name": name, "category": category}
            )


def backwards(apps, schema_editor):
    Skill = apps.get_model("people", "Skill")
    slugs = [slugify(name) for names in TAXONOMY.values() for name in names]
    Skill.objects.filter(community=None, slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
