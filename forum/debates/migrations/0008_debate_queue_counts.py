from django.db import migrations, models
from django.db.models import Count, Q


def count_held_comments(apps, schema_editor):
    Debate = apps.get_model("debates", "Debate")
    Comment = apps.get_model("debates", "Comment")
    for debate in Debate.objects.only("pk"):
        Debate.objects.filter(pk=debate.pk).update(
            **Comment.objects.filter(debate=debate).aggregate(
                pending_count=Count("pk", filter=Q(status="pending")),
                rejected_count=Count("pk", filter=Q(status="rejected")),
                spam_count=Count("pk", filter=Q(status="spam")),
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0007_debate_comment_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="debate",
            name="pending_count",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="debate",
            name="rejected_count",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="debate",
            name="spam_count",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_held_comments, migrations.RunPython.noop),
    ]
