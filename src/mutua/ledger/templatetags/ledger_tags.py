"""`{{ minutes|hours }}`: whole minutes shown as hours, in the reader's number format."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def hours(minutes) -> str:
    if minutes is None or minutes == "":
        return ""
    value = int(minutes) / 60
    places = 0 if int(minutes) % 60 == 0 else 2
    return number_format(value, places)
