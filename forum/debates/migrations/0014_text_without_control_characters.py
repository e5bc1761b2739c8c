import unicodedata

from django.db import migrations

from forum.lib.markdown import render_comment

# services.normalise_text's rule, copied: a migration must not change with the app.
CONTROLS = {cp: None for cp in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if cp not in (0x09, 0x0A)}
HAS_CONTROL = r"[\x01-\x08\x0b-\x1f\x7f-\x9f]"


def cleaned(text: str) -> str:
    """Without its controls, then NFC (a mark a control parted may join its letter), trimmed."""
    return unicodedata.normalize("NFC", text.translate(CONTROLS)).strip()


def drop_control_characters(apps, schema_editor):
    """Text written before it lost its control characters (see
    ``services.normalise_text``) loses them too: they drew as empty boxes on the
    page and in the queue. A body's HTML is rendered again. Few rows, if any:
    comments and their earlier versions, names, report and appeal notes, and
    the reasons of bans, which the banned reader reads."""
    Comment = apps.get_model("debates", "Comment")
    for comment in Comment.objects.filter(body__regex=HAS_CONTROL).iterator(chunk_size=500):
        body = cleaned(comment.body)
        if not body:  # nothing but controls: left for a moderator rather than emptied
            continue
        comment.body = body
        if comment.body_html:  # a deleted comment's placeholder has none
            comment.body_html = render_comment(comment.body)
        comment.save(update_fields=["body", "body_html"])
    for comment in Comment.objects.filter(author_name__regex=HAS_CONTROL).iterator(chunk_size=500):
        comment.author_name = " ".join(cleaned(comment.author_name).split()) or "Anonymous"
        comment.save(update_fields=["author_name"])
    for model, field in (("Report", "note"), ("Appeal", "note"), ("CommentRevision", "body"), ("Ban", "reason")):
        rows = apps.get_model("debates", model).objects.filter(**{f"{field}__regex": HAS_CONTROL})
        for row in rows.iterator(chunk_size=500):
            setattr(row, field, cleaned(getattr(row, field)))
            row.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0013_comments_without_direction_overrides"),
    ]

    operations = [
        migrations.RunPython(drop_control_characters, migrations.RunPython.noop),
    ]
