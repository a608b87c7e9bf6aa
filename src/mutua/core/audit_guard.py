"""The database itself keeps the audit log append-only (decision 0009).

- UPDATE is refused unless the only change is unlinking the actor or the subject (setting them
  to NULL), which is what deleting a user row does. Anonymisation never needs more: names are
  rendered from the live rows (profiles), never stored in an entry.
- DELETE is refused unless this process has unlocked the log with `audit_unlocked()`. Only
  emptying a whole database (`flush`, used between tests and for a reset) does that; a future
  retention purge would be the one other sanctioned caller.

The triggers guard against mistakes in code and casual edits, not against someone who can drop
a trigger: that person owns the database.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

_unlocked: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "mutua_audit_unlocked", default=False
)

# Everything an entry says. Only actor_id and subject_id may change, and only to NULL.
CONTENT = (
    "id",
    "public_id",
    "created_at",
    "community_id",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "reason",
    "is_safeguarding",
)
UNLINKABLE = ("actor_id", "subject_id")
MESSAGE = "audit entries are append-only"


def _refused_update(distinct: str) -> str:
    changed = [f"NEW.{c} {distinct} OLD.{c}" for c in CONTENT]
    relinked = [f"(NEW.{c} {distinct} OLD.{c} AND NEW.{c} IS NOT NULL)" for c in UNLINKABLE]
    return " OR ".join(changed + relinked)


SQLITE_UP = [
    f"""CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE ON core_auditentry
    WHEN {_refused_update("IS NOT")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    # mutua_audit_unlocked() exists only on connections Django opens (see register_sqlite):
    # anywhere else the DELETE fails too.
    f"""CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    WHEN NOT mutua_audit_unlocked()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
PG_UP = [
    f"""CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF current_setting('mutua.audit_unlocked', true) IS DISTINCT FROM 'on' THEN
          RAISE EXCEPTION '{MESSAGE}';
        END IF;
        RETURN OLD;
      END IF;
      IF {_refused_update("IS DISTINCT FROM")} THEN
        RAISE EXCEPTION '{MESSAGE}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_UP, "postgresql": PG_UP}.get(vendor, []):
        schema_editor.execute(sql)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}.get(vendor, []):
        schema_editor.execute(sql)


def register_sqlite(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give SQLite the function the DELETE trigger asks."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "mutua_audit_unlocked", 0, lambda: int(_unlocked.get())
        )


@contextmanager
def audit_unlocked(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Allow deleting audit entries inside this block (whole-database flush only)."""
    token = _unlocked.set(True)
    try:
        connection = connections[using]
        if connection.vendor == "postgresql":
            with transaction.atomic(using=using):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('mutua.audit_unlocked', 'on', true)")
                yield
        else:
            yield
    finally:
        _unlocked.reset(token)
