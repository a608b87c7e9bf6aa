"""The database itself refuses edits to audit entries (only unlinking a deleted actor is allowed)."""

from django.db import migrations

CONTENT = ("action", "target_type", "target_id", "target_label", "before", "after", "reason",
           "is_safeguarding", "created_at", "community_id", "public_id")
CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CONTENT)

SQLITE_UP = f"""
CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE ON core_auditentry
WHEN {CHANGED}
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
PG_UP = f"""
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  IF {PG_CHANGED} THEN
    RAISE EXCEPTION 'audit entries are append-only';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(PG_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_append_only")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;"
            "DROP FUNCTION IF EXISTS core_auditentry_append_only();")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
