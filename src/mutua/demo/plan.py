"""The demo cast, planned from a seed without touching the database (same seed, same people)."""

from __future__ import annotations

import datetime as dt
import importlib
import random
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify

from mutua.demo import data

DEMO_DOMAIN = "demo.mutua.local"
COMMUNITY_SKILL = ("Sandbags and flood preparation", "Home & garden repairs")

# (role, e-mail local part, name, languages) of the people whose logins the README prints.
FIXED_PEOPLE = [
    ("steward", "steward", "Grace Okafor", ["en"]),
    ("coordinator", "coordinator", "Tomasz Nowak", ["en", "pl"]),
    ("caller", "caller", "Layla Haddad", ["ar", "en"]),
    ("member", "member", "Rosa Martínez", ["en", "es"]),
]
# Further staff, drawn from the crowd: a second steward, three coordinators, two callers.
EXTRA_STAFF = ["steward", "coordinator", "coordinator", "coordinator", "caller", "caller"]
CATEGORY_WEIGHTS = {
    "Errands & shopping": 5,
    "Transport": 3,
    "Care & companionship": 5,
    "Home & garden repairs": 3,
    "Cooking & food": 4,
    "Languages & translation": 2,
    "Digital help": 3,
    "Paperwork & admin": 2,
    "Childcare & education": 2,
    "Health & wellbeing (non-clinical)": 2,
    "Animals": 2,
}
WINDOW_PATTERNS = [
    (range(0, 5), (1, 3), dt.time(18, 0), dt.time(20, 30)),  # weekday evenings
    (range(0, 5), (2, 4), dt.time(10, 0), dt.time(15, 0)),  # weekday daytime (retired, shifts)
    (range(5, 7), (1, 2), dt.time(9, 0), dt.time(13, 0)),  # weekend mornings
    (range(0, 5), (1, 2), dt.time(12, 0), dt.time(13, 30)),  # lunch breaks
]


def skill_taxonomy() -> dict[str, list[str]]:
    """Category -> skill names, read from the migration that seeds them (one source of truth)."""
    module = importlib.import_module("mutua.people.migrations.0002_skill_taxonomy")
    return module.TAXONOMY


@dataclass
class DemoPerson:
    email: str
    name: str
    kind: str = "member"  # member (Riverside), hillside, applicant, approved
    role: str = "member"
    languages: list[str] = field(default_factory=lambda: ["en"])
    preferred_language: str = "en"
    area: str = ""
    bio: str = ""
    free_tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # slugs of the shared taxonomy
    has_flood_skill: bool = False
    windows: list[tuple[int, dt.time, dt.time]] = field(default_factory=list)
    has_car: bool = False
    has_accessible_vehicle: bool = False
    capacity: str = "available"
    break_days: int | None = None  # days from today; None with capacity "break" = open-ended
    channel: str = "email"
    quiet_hours: bool = False
    phone: str = ""
    address: str = ""
    access_notes: str = ""
    health_notes: str = ""
    is_vulnerable: bool = False
    opts_into_directory: bool = False
    vetted_days: int | None = None
    custom_role: str = ""
    also_hillside: bool = False
    answers: list[str] = field(default_factory=list)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class _Names:
    """Unique, varied names and matching e-mail addresses."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = {p[2] for p in FIXED_PEOPLE}
        self.emails: set[str] = {f"{p[1]}@{DEMO_DOMAIN}" for p in FIXED_PEOPLE}
        self.origins = list(data.ORIGIN_WEIGHTS)
        self.weights = list(data.ORIGIN_WEIGHTS.values())

    def draw(self) -> tuple[str, str, list[str]]:
        while True:
            origin = self.rng.choices(self.origins, self.weights)[0]
            languages, firsts, lasts = data.ORIGINS[origin]
            name = f"{self.rng.choice(firsts)} {self.rng.choice(lasts)}"
            if name in self.names:
                continue
            local = slugify(_ascii(name)).replace("-", ".")
            email, n = f"{local}@{DEMO_DOMAIN}", 2
            while email in self.emails:
                email, n = f"{local}{n}@{DEMO_DOMAIN}", n + 1
            self.names.add(name)
            self.emails.add(email)
            return name, email, list(languages)


def _languages(rng: random.Random, home: list[str]) -> list[str]:
    langs = set(home[:1] if rng.random() < 0.7 else home)
    if "en" not in langs and rng.random() < 0.88:
        langs.add("en")  # most speak English too; some newcomers do not (yet)
    elif "en" in langs and rng.random() < 0.15:
        langs.add(rng.choice(["fr", "es", "de", "it"]))
    return sorted(langs)


def _skills(rng: random.Random, taxonomy: dict[str, list[str]], langs: list[str]) -> list[str]:
    categories = list(CATEGORY_WEIGHTS)
    if langs == ["en"]:
        categories.remove("Languages & translation")  # interpreting needs a second language
    weights = [CATEGORY_WEIGHTS[c] for c in categories]
    chosen: list[str] = []
    for _ in range(rng.randint(1, 5)):
        names = taxonomy[rng.choices(categories, weights)[0]]
        slug = slugify(rng.choice(names))
        if slug not in chosen:
            chosen.append(slug)
    return chosen


def _windows(rng: random.Random) -> list[tuple[int, dt.time, dt.time]]:
    by_day: dict[int, tuple[dt.time, dt.time]] = {}
    for days, (lo, hi), start, end in rng.sample(WINDOW_PATTERNS, rng.randint(0, 2)):
        for day in rng.sample(list(days), rng.randint(lo, hi)):
            by_day.setdefault(day, (start, end))
    return [(d, s, e) for d, (s, e) in sorted(by_day.items())]


def _person(rng: random.Random, names: _Names, taxonomy: dict, kind: str, area: str) -> DemoPerson:
    name, email, home = names.draw()
    langs = _languages(rng, home)
    skills = _skills(rng, taxonomy, langs)
    skill_name = next(
        (n for ns in taxonomy.values() for n in ns if slugify(n) == skills[0]), "odd jobs"
    )
    opener = rng.choice(data.OPENERS)
    closer = rng.choice(data.CLOSERS).format(skill=skill_name.lower())
    roll = rng.random()
    return DemoPerson(
        email=email,
        name=name,
        kind=kind,
        languages=langs,
        preferred_language="es" if "es" in langs and rng.random() < 0.5 else "en",
        area=area,
        bio=f"{opener} {closer}".strip(),
        free_tags=rng.sample(data.FREE_TAGS, 1) if rng.random() < 0.15 else [],
        skills=skills,
        windows=_windows(rng),
        has_car=rng.random() < 0.3,
        has_accessible_vehicle=rng.random() < 0.03,
        capacity="limited" if roll < 0.2 else "available",
        channel=rng.choices(["email", "sms", "app"], [8, 2, 1])[0],
        quiet_hours=rng.random() < 0.25,
        phone=f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.5 else "",
        address=(
            f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}, Riverside"
            if rng.random() < 0.4
            else ""
        ),
    )


def _area(rng: random.Random) -> str:
    slugs = [n[0] for n in data.NEIGHBOURHOODS]
    if rng.random() < 0.06:
        return data.TOWN[0]  # "somewhere in town" is a fine answer too
    return rng.choices(slugs, [n[4] for n in data.NEIGHBOURHOODS])[0]


def plan_people(seed: int, size: int) -> list[DemoPerson]:
    """Everyone in the demo: `size` Riverside members, Hillside's own, applicants."""
    if size < 12:
        raise ValueError("The demo needs at least 12 members.")
    rng = random.Random(seed)
    taxonomy = skill_taxonomy()
    names = _Names(rng)
    people: list[DemoPerson] = []
    for role, local, name, langs in FIXED_PEOPLE:
        p = _person(rng, names, taxonomy, "member", _area(rng))
        p.role, p.email, p.name, p.languages = role, f"{local}@{DEMO_DOMAIN}", name, langs
        p.phone = p.phone or f"07700 900{rng.randrange(1000):03d}"
        people.append(p)
    people[3].capacity, people[3].windows = "available", [(5, dt.time(9), dt.time(13))]
    for role in EXTRA_STAFF:
        p = _person(rng, names, taxonomy, "member", _area(rng))
        p.role, p.phone = role, p.phone or f"07700 900{rng.randrange(1000):03d}"
        people.append(p)
    while len(people) < size:
        people.append(_person(rng, names, taxonomy, "member", _area(rng)))

    crowd = [p for p in people if p.role == "member" and not p.email.startswith("member@")]
    for i, p in enumerate(rng.sample(crowd, max(2, size * 8 // 100))):
        p.is_vulnerable, p.opts_into_directory = True, i == 0
        p.channel = rng.choice(["phone", "sms"])
        p.capacity, p.has_car = "limited", False
        p.skills = p.skills[:1]
        p.phone = f"07700 900{rng.randrange(1000):03d}"
        p.address = f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}, Riverside"
        p.access_notes = rng.choice(data.ACCESS_NOTES)
        p.health_notes = rng.choice(data.HEALTH_NOTES) if rng.random() < 0.5 else ""
    able = [p for p in crowd if not p.is_vulnerable]
    for p in rng.sample(able, max(2, size * 15 // 100)):
        p.vetted_days = rng.randint(30, 700)
    for i, p in enumerate(rng.sample(able, max(1, size * 7 // 100))):
        p.capacity, p.break_days = "break", (None if i == 0 else rng.randint(7, 60))
    for p in rng.sample(able, max(2, size * 5 // 100)):
        p.has_flood_skill = True
    p1, p2 = rng.sample([p for p in able if not p.vetted_days], 2)
    p1.custom_role, p2.custom_role = "Welcome team", "Safeguarding lead"
    for p in [people[3], *rng.sample(able, max(2, size // 30))]:
        p.also_hillside = True

    for _ in range(max(6, size // 10)):  # Hillside's own members; the first is its steward
        p = _person(rng, names, taxonomy, "hillside", "")
        p.area = rng.choice(data.HILLSIDE_AREAS)[0]
        people.append(p)
    for i, (why, where) in enumerate(data.APPLICATION_ANSWERS):
        p = _person(rng, names, taxonomy, "approved" if i < 2 else "applicant", "")
        p.answers = [why, where]
        people.append(p)
    return people


def invitee_emails(seed: int) -> list[str]:
    """People invited by e-mail who have not answered yet (they have no account)."""
    rng = random.Random(seed + 1)
    names = _Names(rng)
    return [names.draw()[1].replace("@", ".invited@") for _ in range(3)]
