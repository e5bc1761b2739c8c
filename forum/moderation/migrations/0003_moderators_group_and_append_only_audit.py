"""The Moderators group, and a database trigger that refuses any edit of an audit entry.

The model already refuses ``save()`` on an existing entry; the trigger makes the
log append-only for raw SQL and bulk updates too. Only ``actor_id`` may change,
because deleting a user account sets it to NULL (the ``actor_label`` snapshot
keeps who it was).
"""

from django.db import migrations

COLUMNS = (
    "id, created_at, actor_label, action, target_type, target_id, reason, "
    "status_before, status_after, network_hash, details"
)

SQLITE_UP = f"""
CREATE TRIGGER moderation_auditentry_append_only
BEFORE UPDATE OF {COLUMNS} ON moderation_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS moderation_auditentry_append_only;"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION moderation_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$;
CREATE TRIGGER moderation_auditentry_append_only
BEFORE UPDATE OF {COLUMNS} ON moderation_auditentry
FOR EACH ROW EXECUTE FUNCTION moderation_auditentry_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS moderation_auditentry_append_only ON moderation_auditentry;
DROP FUNCTION IF EXISTS moderation_auditentry_append_only();
"""


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Moderators")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("moderation", "0002_notes_tallies_audit_index"),
    ]

    operations = [
        migrations.RunPython(create_group, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
