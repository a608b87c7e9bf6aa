"""Ninja names OpenAPI components after the schema class: two classes with one name collide."""

from collections import Counter

from ninja import Schema

from mutua.api.main import api


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_api_schema_class_has_a_unique_name():
    api.get_openapi_schema()  # imports every router and its schemas
    ours = [c for c in _all_subclasses(Schema) if c.__module__.startswith("mutua.")]
    counts = Counter(c.__name__ for c in ours)
    clashes = {
        name: sorted(c.__module__ for c in ours if c.__name__ == name)
        for name, n in counts.items()
        if n > 1
    }
    assert not clashes, f"schema classes sharing a name (rename one): {clashes}"
