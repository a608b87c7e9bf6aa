"""The audit log becomes strictly append-only (decision 0009).

- Every column is guarded; only unlinking the actor or the subject (to NULL) is allowed.
- DELETE is refused (only a whole-database flush may unlock it).
- A community with an audit trail cannot be deleted (PROTECT instead of CASCADE).
- Labels that named a person (memberships, users, applications) are cleared before the new
  guard is installed: the page shows the person's live name, which deletion anonymises.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

from mutua.core import audit_guard

OLD_SQLITE = "DROP TRIGGER IF EXISTS core_auditentry_append_only"
OLD_PG = (
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;"
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();"
)
PERSONAL_TARGETS = ("user", "membership", "joinapplication")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(OLD_SQLITE)
    elif vendor == "postgresql":
        schema_editor.execute(OLD_PG)
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditEntry.objects.using(schema_editor.connection.alias).filter(
        target_type__in=PERSONAL_TARGETS
    ).exclude(target_label="").update(target_label="")
    audit_guard.install(schema_editor)


def backwards(apps, schema_editor):
    audit_guard.uninstall(schema_editor)
    import_module("mutua.core.migrations.0003_audit_append_only").forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_cache_table")]
    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="community",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_entries",
                to="communities.community",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
