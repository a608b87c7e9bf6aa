from django import template

from mutua.care.services.common import is_drill

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return (mapping or {}).get(key, 0)


@register.filter
def care_drill(plan) -> bool:
    """A plan runs as a drill by its own switch or its community's (read once per plan; the
    selectors mark whole lists at once)."""
    return bool(plan) and is_drill(plan)
