"""Every skill has a slug, unique in its scope: the API names skills by slug, never by id.

The taxonomy migration and `skill_add` always give one; a skill written another way with an
empty slug gets one made from its name here, before the new constraint forbids empty slugs.
"""

from django.db import migrations, models
from django.utils.text import slugify


def _free(name: str, taken: set[str]) -> str:
    base = slugify(name)[:60] or "skill"
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug, n = base[: 60 - len(suffix)] + suffix, n + 1
    return slug


def fill_empty_slugs(apps, schema_editor):
    Skill = apps.get_model("people", "Skill")
    rows = list(Skill.objects.exclude(slug="").values_list("community_id", "slug"))
    everywhere = {slug for _community, slug in rows}
    shared = {slug for community, slug in rows if community is None}
    own: dict[int, set[str]] = {}
    for community, slug in rows:
        if community is not None:
            own.setdefault(community, set()).add(slug)
    for skill in Skill.objects.filter(slug="").order_by("id"):
        # As skill_add does: a community's skill never takes a shared slug; a new shared one
        # takes no slug in use anywhere, so that a bare slug stays unambiguous in a community.
        if skill.community_id is None:
            skill.slug = _free(skill.name, everywhere)
            shared.add(skill.slug)
        else:
            mine = own.setdefault(skill.community_id, set())
            skill.slug = _free(skill.name, shared | mine)
            mine.add(skill.slug)
        everywhere.add(skill.slug)
        skill.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_skill_taxonomy")]
    operations = [
        migrations.RunPython(fill_empty_slugs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.CheckConstraint(
                condition=models.Q(("slug", ""), _negated=True), name="skill_slug_not_empty"
            ),
        ),
    ]
