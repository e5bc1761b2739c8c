from django.db import migrations, models

from forum.lib.markdown import render_summary


def render_summaries(apps, schema_editor):
    Debate = apps.get_model("debates", "Debate")
    for debate in Debate.objects.only("pk", "summary"):
        Debate.objects.filter(pk=debate.pk).update(summary_html=render_summary(debate.summary))


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0005_thread_page_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="debate",
            name="summary_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_summaries, migrations.RunPython.noop),
    ]
