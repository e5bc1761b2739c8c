from django.db import migrations, models
from django.db.models import Count, Q

LISTED = ["published", "deleted"]
HIDDEN = ["pending", "rejected", "spam"]


def list_hidden_comments_with_replies(apps, schema_editor):
    """A hidden comment with visible replies becomes a placeholder, deepest first
    so that a placeholder counts as a visible reply of the comment above it;
    then each debate's thread count includes the top-level ones."""
    Debate = apps.get_model("debates", "Debate")
    Comment = apps.get_model("debates", "Comment")
    hidden = Comment.objects.filter(status__in=HIDDEN).order_by("-depth", "pk")
    for comment in hidden.only("pk"):
        visible = Q(status__in=LISTED) | Q(placeholder=True)
        if Comment.objects.filter(parent_id=comment.pk).filter(visible).exists():
            Comment.objects.filter(pk=comment.pk).update(placeholder=True)
    for debate in Debate.objects.only("pk"):
        Debate.objects.filter(pk=debate.pk).update(
            **Comment.objects.filter(debate=debate).aggregate(
                thread_count=Count("pk", filter=(Q(status__in=LISTED) | Q(placeholder=True)) & Q(depth=0))
            )
        )


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
        migrations.RunPython(list_hidden_comments_with_replies, migrations.RunPython.noop),
    ]
