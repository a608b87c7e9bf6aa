"""The shared skill taxonomy in words people read, in their language.

The rows (people/migrations/0002_skill_taxonomy.py) keep the English name and category, which
the API and imports use; pages show these translated labels, looked up by the shared skill's
slug and by the category's English name. Skills a community adds are shown as typed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "Errands & shopping": _("Errands & shopping"),
    "Transport": _("Transport"),
    "Care & companionship": _("Care & companionship"),
    "Home & garden repairs": _("Home & garden repairs"),
    "Cooking & food": _("Cooking & food"),
    "Languages & translation": _("Languages & translation"),
    "Digital help": _("Digital help"),
    "Paperwork & admin": _("Paperwork & admin"),
    "Childcare & education": _("Childcare & education"),
    "Health & wellbeing (non-clinical)": _("Health & wellbeing (non-clinical)"),
    "Animals": _("Animals"),
}

SKILL_LABELS = {
    "grocery-shopping": _("Grocery shopping"),
    "collecting-prescriptions": _("Collecting prescriptions"),
    "posting-letters-and-parcels": _("Posting letters and parcels"),
    "picking-up-and-dropping-off-items": _("Picking up and dropping off items"),
    "lifts-to-appointments": _("Lifts to appointments"),
    "school-runs": _("School runs"),
    "moving-bulky-items": _("Moving bulky items"),
    "accompanying-on-public-transport": _("Accompanying on public transport"),
    "friendly-phone-calls": _("Friendly phone calls"),
    "visits-and-a-cup-of-tea": _("Visits and a cup of tea"),
    "walks-and-outings": _("Walks and outings"),
    "company-after-a-hospital-stay": _("Company after a hospital stay"),
    "small-repairs-around-the-house": _("Small repairs around the house"),
    "furniture-assembly": _("Furniture assembly"),
    "gardening": _("Gardening"),
    "decorating": _("Decorating"),
    "bike-repair": _("Bike repair"),
    "cooking-meals": _("Cooking meals"),
    "batch-cooking-for-the-freezer": _("Batch cooking for the freezer"),
    "baking": _("Baking"),
    "cooking-for-special-diets": _("Cooking for special diets"),
    "interpreting-at-appointments": _("Interpreting at appointments"),
    "translating-letters": _("Translating letters"),
    "english-conversation-practice": _("English conversation practice"),
    "smartphone-help": _("Smartphone help"),
    "setting-up-video-calls": _("Setting up video calls"),
    "online-forms-and-accounts": _("Online forms and accounts"),
    "computer-troubleshooting": _("Computer troubleshooting"),
    "reading-and-writing-letters": _("Reading and writing letters"),
    "benefits-and-grant-applications": _("Benefits and grant applications"),
    "budgeting-help": _("Budgeting help"),
    "babysitting": _("Babysitting"),
    "homework-help": _("Homework help"),
    "reading-with-children": _("Reading with children"),
    "maths-tutoring": _("Maths tutoring"),
    "a-listening-ear": _("A listening ear"),
    "exercise-buddy": _("Exercise buddy"),
    "going-along-to-appointments": _("Going along to appointments"),
    "dog-walking": _("Dog walking"),
    "pet-sitting": _("Pet sitting"),
    "feeding-pets-while-someone-is-away": _("Feeding pets while someone is away"),
}
