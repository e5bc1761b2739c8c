from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Q

UNPUBLISHED = ["pending", "rejected", "spam", "deleted"]


def _recount_threads(apps, *, placeholders: bool):
    Debate = apps.get_model("debates", "Debate")
    Comment = apps.get_model("debates", "Comment")
    # Before placeholders, a deleted comment was listed whenever it was kept.
    listed = Q(status="published") | Q(placeholder=True) if placeholders else Q(status__in=["published", "deleted"])
    for debate in Debate.objects.only("pk"):
        Debate.objects.filter(pk=debate.pk).update(
            **Comment.objects.filter(debate=debate).aggregate(thread_count=Count("pk", filter=listed & Q(depth=0)))
        )


def list_hidden_comments_with_replies(apps, schema_editor):
    """An unpublished comment with visible replies becomes a placeholder,
    deepest first so that a placeholder counts as a visible reply of the comment
    above it; then each debate's thread count includes the top-level ones."""
    Comment = apps.get_model("debates", "Comment")
    for depth in range(3, -1, -1):
        listed_reply = Comment.objects.filter(parent=OuterRef("pk")).filter(
            Q(status="published") | Q(placeholder=True)
        )
        Comment.objects.filter(depth=depth, status__in=UNPUBLISHED).update(placeholder=Exists(listed_reply))
    _recount_threads(apps, placeholders=True)


def count_threads_without_placeholders(apps, schema_editor):
    _recount_threads(apps, placeholders=False)


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0008_debate_queue_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="placeholder",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(list_hidden_comments_with_replies, count_threads_without_placeholders),
    ]
