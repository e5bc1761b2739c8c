from django.db import migrations
from django.db.models import Exists, OuterRef, Q

UNPUBLISHED = ["pending", "rejected", "spam", "deleted"]


def list_comments_answered_from_beside(apps, schema_editor):
    """An unpublished comment at the last level that a visible reply answers from
    beside it (``reply_to``) becomes a placeholder, as one with visible replies
    under it already is; until nothing changes, since placeholders there can
    answer one another. Counts do not move: they hold no placeholder below the
    top level, and the parent of such a comment is listed already by the reply."""
    Comment = apps.get_model("debates", "Comment")
    listed = Q(status="published") | Q(placeholder=True)
    # Two EXISTS rather than one with an OR, which PostgreSQL answers by scanning every comment for each row.
    listed_reply = Exists(Comment.objects.filter(listed, parent=OuterRef("pk"))) | Exists(
        Comment.objects.filter(listed, reply_to=OuterRef("pk"))
    )
    unpublished = Comment.objects.filter(depth=3, status__in=UNPUBLISHED, placeholder=False)
    while unpublished.filter(listed_reply).update(placeholder=True):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0011_comment_reply_to"),
    ]

    operations = [
        migrations.RunPython(list_comments_answered_from_beside, migrations.RunPython.noop),
    ]
