from django.db import migrations
from django.db.models import Q

from forum.lib.markdown import render_comment

OVERRIDES = {0x202D: None, 0x202E: None}


def drop_direction_overrides(apps, schema_editor):
    """Comments written before bodies lost their direction overrides lose them too
    (see ``services.clean_body``), so that every body shows what the checks read;
    their HTML is rendered again from the cleaned text. Few rows, if any."""
    Comment = apps.get_model("debates", "Comment")
    with_overrides = Comment.objects.filter(Q(body__contains="\u202d") | Q(body__contains="\u202e"))
    for comment in with_overrides.only("pk", "body", "body_html").iterator(chunk_size=500):
        comment.body = comment.body.translate(OVERRIDES)
        if comment.body_html:  # a deleted comment's placeholder has none
            comment.body_html = render_comment(comment.body)
        comment.save(update_fields=["body", "body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0012_placeholders_for_replies_beside"),
    ]

    operations = [
        migrations.RunPython(drop_direction_overrides, migrations.RunPython.noop),
    ]
