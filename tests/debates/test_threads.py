"""Every top-level comment heads its own thread, whoever inserts it: the
database sets its ``thread_id`` as it inserts the row (migration 0010), so that
the app posts a comment without a second statement for it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Comment

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


def stored_thread(pk: int) -> int | None:
    return Comment.objects.values_list("thread_id", flat=True).get(pk=pk)


def test_a_top_level_comment_posted_heads_its_own_thread_and_its_replies_join_it(api, debate, no_rate_limits):
    top = api.post(URL, {"body": "A thread of its own."}).json()["id"]
    reply = api.post(URL, {"body": "A reply.", "parent_id": top}).json()["id"]
    nested = api.post(URL, {"body": "A reply to the reply.", "parent_id": reply}).json()["id"]
    assert [stored_thread(pk) for pk in (top, reply, nested)] == [top, top, top]


def test_the_database_sets_the_thread_of_any_top_level_insert(debate):
    """A trigger, which a later migration that remakes the table on SQLite would drop."""
    saved = Comment(debate=debate, body="Saved by the ORM.", body_html="<p>Saved by the ORM.</p>")
    with CaptureQueriesContext(connection) as ctx:
        saved.save()
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "debates_comment"')]
    assert saved.thread_id == saved.pk == stored_thread(saved.pk)
    bulk = Comment.objects.bulk_create(
        [Comment(debate=debate, body=f"Imported {i}", body_html=f"<p>Imported {i}</p>") for i in range(3)]
    )
    imported = Comment.objects.filter(body__startswith="Imported")
    assert sorted(imported.values_list("pk", "thread_id")) == sorted((c.pk, c.pk) for c in imported)
    assert len(bulk) == 3


def test_a_thread_given_is_kept(debate):
    top = Comment.objects.create(debate=debate, body="Top", body_html="<p>Top</p>")
    reply = Comment.objects.create(
        debate=debate, parent=top, thread=top, depth=1, body="Reply", body_html="<p>Reply</p>"
    )
    assert stored_thread(reply.pk) == top.pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_earlier_top_level_comments_their_thread_and_goes_back(debate):
    executor = MigrationExecutor(connection)
    before = [("debates", "0009_comment_placeholder")]
    executor.migrate(before)
    # Without the trigger, a top-level comment is inserted without a thread, as
    # before (by the model as it was then: later migrations add columns).
    then = executor.loader.project_state(before).apps.get_model("debates", "Comment")
    old = then.objects.create(debate_id=debate.pk, body="Old", body_html="<p>Old</p>")
    assert stored_thread(old.pk) is None
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert stored_thread(old.pk) == old.pk
    new = Comment.objects.create(debate=debate, body="New", body_html="<p>New</p>")
    assert stored_thread(new.pk) == new.pk
