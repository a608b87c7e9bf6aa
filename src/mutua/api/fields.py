"""Constrained input types: bounded strings without NUL, safe integers, coordinates on Earth.

PostgreSQL refuses strings containing NUL and SQLite overflows on huge integers, so every input
field is constrained here, before a service sees it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

# pydantic itself refuses unpaired surrogates; the pattern refuses NUL.
NO_NUL = r"^[^\x00]*$"


# Bounded strings that never contain NUL, named by their longest length.
Str32 = Annotated[str, StringConstraints(max_length=32, pattern=NO_NUL)]
Str60 = Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)]
Str80 = Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)]
Str120 = Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL)]
Str300 = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Str500 = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
Str1000 = Annotated[str, StringConstraints(max_length=1_000, pattern=NO_NUL)]
Str2000 = Annotated[str, StringConstraints(max_length=2_000, pattern=NO_NUL)]
Str4000 = Annotated[str, StringConstraints(max_length=4_000, pattern=NO_NUL)]
Str100k = Annotated[str, StringConstraints(max_length=100_000, pattern=NO_NUL)]
Name80 = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=NO_NUL)]
Name120 = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NO_NUL)]

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]
# A skill's slug as people.Skill stores it (Django's SlugField allows capitals and underscores).
SkillSlug = Annotated[
    str, StringConstraints(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
]
# A custom role's slug is made from its name and may hold letters of any script.
RoleSlug = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[-\w]+$")]
PublicId = Annotated[
    str, StringConstraints(min_length=16, max_length=16, pattern=r"^[0-9a-hjkmnp-tv-z]{16}$")
]


def _naive(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError(_("Give a local time without a time zone, such as 09:30."))
    return value


# Weekly windows and quiet hours are in the community's local time, never with an offset.
LocalTime = Annotated[dt.time, AfterValidator(_naive)]


class In(Schema):
    """Base for request bodies: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")
