"""A top-level comment heads its own thread: the database sets its ``thread_id``
to its own id as it inserts it, whoever inserts it, instead of the app sending
a second statement once the id is known (a round trip on PostgreSQL).

On SQLite, Django remakes a table for many schema changes, which drops its
triggers: ``tests/debates/test_threads.py`` fails if a later migration loses
this one, and that migration must create it again (``CREATE`` below)."""

from django.db import migrations
from django.db.models import F

CREATE = {
    "postgresql": [
        """
        CREATE FUNCTION debates_comment_heads_thread() RETURNS trigger AS $$
        BEGIN
            IF NEW.thread_id IS NULL AND NEW.depth = 0 THEN
                NEW.thread_id := NEW.id;
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER debates_comment_heads_thread BEFORE INSERT ON debates_comment
        FOR EACH ROW EXECUTE FUNCTION debates_comment_heads_thread()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER debates_comment_heads_thread AFTER INSERT ON debates_comment
        FOR EACH ROW WHEN NEW.thread_id IS NULL AND NEW.depth = 0
        BEGIN
            UPDATE debates_comment SET thread_id = NEW.id WHERE id = NEW.id;
        END
        """,
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS debates_comment_heads_thread ON debates_comment",
        "DROP FUNCTION IF EXISTS debates_comment_heads_thread()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS debates_comment_heads_thread"],
}


def _run(statements, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No thread trigger for the {vendor} database: add one to this migration.")
    for sql in statements[vendor]:
        schema_editor.execute(sql)


def create_trigger(apps, schema_editor):
    _run(CREATE, schema_editor)
    # Top-level comments inserted without a thread before (imports, the ORM outside the app).
    apps.get_model("debates", "Comment").objects.filter(depth=0, thread__isnull=True).update(thread_id=F("id"))


def drop_trigger(apps, schema_editor):
    _run(DROP, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0009_comment_placeholder"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
