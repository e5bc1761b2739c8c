"""python manage.py rescreen_comments"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from forum.debates.models import Comment, Debate, WordRule
from forum.moderation.models import AuditEntry

Status = Comment.Status


def run(*args, verbosity=1):
    out = StringIO()
    call_command("rescreen_comments", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


@pytest.fixture
def published(make_comment):
    return {
        "clean": make_comment("A fair point about the CNIL.", status=Status.PUBLISHED),
        "word": make_comment("They run a scam, plainly.", status=Status.PUBLISHED),
        "pending": make_comment("Another scam, already held.", status=Status.PENDING),
    }


def test_a_new_word_sends_matching_published_comments_back_to_the_queue(published):
    WordRule.objects.create(pattern="scam", action=WordRule.Action.HOLD)
    output = run(verbosity=2)
    assert "Screened 2 published comments: 1 went back to the queue." in output
    assert f"#{published['word'].pk}" in output
    word = Comment.objects.get(pk=published["word"].pk)
    assert (word.status, word.reasons) == (Status.PENDING, ["suspect_word"])
    assert Comment.objects.get(pk=published["clean"].pk).status == Status.PUBLISHED
    entry = AuditEntry.objects.get(action="comment.rescreen")
    assert entry.actor_label == "manage.py rescreen_comments"


def test_dry_run_changes_nothing(published):
    WordRule.objects.create(pattern="scam", action=WordRule.Action.REJECT)
    assert "1 would go back to the queue" in run("--dry-run")
    assert Comment.objects.get(pk=published["word"].pk).status == Status.PUBLISHED
    assert not AuditEntry.objects.exists()


def test_premoderation_does_not_apply_to_old_comments(published, debate):
    Debate.objects.filter(pk=debate.pk).update(premoderation="all")
    assert "0 went back" in run()


def test_it_is_quiet_at_verbosity_zero(published):
    assert run(verbosity=0) == ""


def test_an_unknown_debate_is_an_error(db):
    with pytest.raises(CommandError, match="No debate"):
        run("--debate", "nope")


def test_it_can_be_limited_to_one_debate_and_recent_days(published, debate):
    WordRule.objects.create(pattern="scam", action=WordRule.Action.HOLD)
    assert "1 went back" in run("--debate", debate.slug, "--days", "1")
