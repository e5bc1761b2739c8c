"""A comment a moderator takes down, or that readers' reports hide, does not take
the published replies under it down too: it is listed to everyone as a
placeholder without its text while visible replies hang on it, and only then."""

import datetime
import threading
from http import HTTPStatus

import pytest
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.debates import models, services
from forum.debates.models import Comment, Debate
from forum.debates.privacy import participant_erase, purge_expired_data
from forum.debates.services import comment_delete
from forum.moderation.services import comment_decide

from ..conftest import app_queries
from .conftest import while_deciding

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"
REMOVED = "This comment was removed by a moderator."
UNDER_REVIEW = "This comment is hidden until a moderator reviews it."


@pytest.fixture
def thread(api, debate, make_participant, no_rate_limits):
    """A top-level comment by ``author`` with a published reply, and a reply to that."""
    author = make_participant()
    top = api.post(URL, {"body": "Clearview is a fine tool, say I."}, key=author.key).json()["id"]
    reply = api.post(URL, {"body": "A reply worth keeping.", "parent_id": top}).json()["id"]
    nested = api.post(URL, {"body": "A nested answer.", "parent_id": reply}).json()["id"]
    return author, top, reply, nested


def decide(moderator, pk, action, reason="off_topic"):
    response = moderator.post(f"/moderation/comments/{pk}/decide/", {"action": action, "reason": reason})
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND), response.content


def shown(api, key=None) -> dict:
    """Every comment of the first page by id, replies included, as the API lists them."""
    found = {}

    def walk(comments):
        for c in comments:
            found[c["id"]] = c
            walk(c["replies"])

    walk(api.get(URL, key=key).json()["results"])
    return found


def test_a_rejected_comment_keeps_its_replies_under_a_placeholder(anon, api, debate, moderator, thread):
    _, top, reply, _ = thread
    decide(moderator, top, "reject")
    page = anon.get("/").content.decode()
    assert REMOVED in page
    assert "Clearview is a fine tool, say I." not in page
    assert "A reply worth keeping." in page
    assert "A nested answer." in page
    comments = shown(api)
    assert comments[top] == {**comments[top], "status": "removed", "body_html": "", "author_name": "", "stance": None}
    assert comments[top]["likes"] == 0
    assert [r["id"] for r in comments[top]["replies"]] == [reply]
    # Counted as a thread, not as a comment: the heading counts what can be read.
    assert api.get(URL).json()["count"] == 2
    assert Debate.objects.values_list("thread_count", "comment_count").get(pk=debate.pk) == (1, 2)
    # Nothing can be done with a placeholder.
    assert api.post(f"/api/v1/comments/{top}/like").status_code == HTTPStatus.NOT_FOUND
    assert api.post(f"/api/v1/comments/{top}/reports", {"reason": "spam"}).status_code == HTTPStatus.NOT_FOUND
    refused = api.post(URL, {"body": "Replying to the void.", "parent_id": top})
    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert refused.json()["message"] == (
        "The comment you are replying to is no longer shown: it was deleted or removed, or waits for a moderator."
    )


def test_the_queue_says_which_items_have_replies_that_readers_see(api, debate, moderator, thread):
    """Before taking a comment down, a moderator learns that its replies will stay under a placeholder."""
    _, top, reply, nested = thread
    taken_down = api.post(URL, {"body": "A reply taken down.", "parent_id": top}).json()["id"]
    decide(moderator, taken_down, "reject")  # no longer listed: not counted
    api.post(URL, {"body": "Another reply worth keeping.", "parent_id": top})
    published = moderator.get("/moderation/?tab=published").content.decode()
    item = published[published.index(f'id="item-{top}"') :]
    item = item[: item.index("</li>")]
    assert f"2 replies to it are shown: taken down, it leaves “{REMOVED}” in its place." in item
    item = published[published.index(f'id="item-{reply}"') :]
    assert f"1 reply to it is shown: taken down, it leaves “{REMOVED}” in its place." in item
    nested_item = published[published.index(f'id="item-{nested}"') :]
    assert "listed-replies" not in nested_item[: nested_item.index("</li>")]
    items = {i["id"]: i for i in moderator.get("/api/v1/moderation/queue?tab=published").json()["items"]}
    assert (items[top]["listed_replies"], items[reply]["listed_replies"], items[nested]["listed_replies"]) == (2, 1, 0)

    decide(moderator, top, "reject")
    rejected = moderator.get("/moderation/?tab=rejected").content.decode()
    assert f"Readers see “{REMOVED}” in its place: 2 replies to it are shown." in rejected


def test_the_author_sees_the_placeholder_with_the_way_to_appeal(api, debate, moderator, thread, make_participant):
    author, top, *_ = thread
    decide(moderator, top, "spam", reason="spam")
    page = author.get("/").content.decode()
    assert REMOVED in page
    assert f'href="/comments/{top}/status/">Why, and how to appeal</a>' in page
    assert "Why, and how to appeal" not in make_participant().get("/").content.decode()
    status = author.get(f"/comments/{top}/status/").content.decode()
    assert "Others see a placeholder without its text in its place" in status


def test_a_placeholder_deep_in_a_thread_and_the_chain_above_it(anon, api, debate, moderator, thread):
    _, top, reply, nested = thread
    decide(moderator, reply, "reject")
    comments = shown(api)
    assert comments[top]["status"] == "published"
    assert comments[reply]["status"] == "removed"
    assert comments[nested]["body_html"] == "<p>A nested answer.</p>"
    # The top comment goes too: it stays listed, for the placeholder under it lists the answer.
    decide(moderator, top, "reject")
    assert Comment.objects.get(pk=top).placeholder
    assert [shown(api)[pk]["status"] for pk in (top, reply, nested)] == ["removed", "removed", "published"]
    # The last visible reply goes: both placeholders go, and the thread with them.
    decide(moderator, nested, "reject")
    assert shown(api) == {}
    assert REMOVED not in anon.get("/").content.decode()
    assert Comment.objects.filter(pk__in=[top, reply], placeholder=True).count() == 0
    assert Debate.objects.values_list("thread_count", "comment_count").get(pk=debate.pk) == (0, 0)


def test_a_granted_appeal_brings_the_comment_back_whole(api, debate, moderator, thread):
    _, top, *_ = thread
    decide(moderator, top, "reject")
    decide(moderator, top, "approve")
    comment = Comment.objects.get(pk=top)
    assert (comment.status, comment.placeholder) == ("published", False)
    assert shown(api)[top]["body_html"] == "<p>Clearview is a fine tool, say I.</p>"
    assert Debate.objects.values_list("thread_count", "comment_count").get(pk=debate.pk) == (1, 3)


def test_a_comment_hidden_by_reports_says_it_waits_for_review_and_its_author_still_reads_it(
    anon, api, debate, thread, make_participant, settings
):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    settings.COMMENTS_PER_PAGE = 1
    author, top, *_ = thread
    assert api.post(f"/api/v1/comments/{top}/reports", {"reason": "abuse"}).status_code == HTTPStatus.CREATED
    page = anon.get("/").content.decode()
    assert UNDER_REVIEW in page
    assert "Clearview is a fine tool" not in page
    assert "A reply worth keeping." in page
    own = author.get("/").content.decode()
    assert "Clearview is a fine tool, say I." in own
    assert "Awaiting moderation" in own
    assert UNDER_REVIEW not in own
    # Held and a placeholder at once, it is one thread for its author, not two.
    assert api.get(URL, key=author.key).json()["pages"] == 1
    assert author.get("/").context["comments"].pages == 1


def test_a_reply_deleted_or_erased_by_its_author_takes_the_placeholder_with_it(
    api, debate, moderator, make_participant, no_rate_limits
):
    top = api.post(URL, {"body": "Taken down later."}).json()["id"]
    replier = make_participant()
    reply = api.post(URL, {"body": "The only answer.", "parent_id": top}, key=replier.key).json()["id"]
    decide(moderator, top, "reject")
    assert shown(api)[top]["status"] == "removed"
    assert api.delete(f"/api/v1/comments/{reply}", key=replier.key).status_code == HTTPStatus.NO_CONTENT
    assert shown(api) == {}
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 0

    again = api.post(URL, {"body": "An answer to another.", "parent_id": api.post(URL, {"body": "x y"}).json()["id"]})
    parent = Comment.objects.get(pk=again.json()["id"]).parent_id
    decide(moderator, parent, "reject")
    assert Comment.objects.get(pk=parent).placeholder
    participant_erase(Comment.objects.get(pk=again.json()["id"]).participant)
    assert not Comment.objects.get(pk=parent).placeholder


def test_a_held_reply_published_by_a_moderator_makes_its_hidden_parent_a_placeholder(
    api, debate, moderator, no_rate_limits
):
    top = api.post(URL, {"body": "Soon rejected."}).json()["id"]
    held = api.post(URL, {"body": "Write to me at jane@example.org", "parent_id": top}).json()
    assert held["status"] == "pending"
    decide(moderator, top, "reject")
    assert shown(api) == {}  # nothing visible hangs on it yet
    decide(moderator, held["id"], "approve")
    assert shown(api)[top]["status"] == "removed"
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 1


def test_a_placeholder_tells_neither_its_stance_nor_its_likes(anon, api, debate, moderator, make_participant, settings):
    settings.VOTE_MIN_SECONDS = 0
    author = make_participant()
    assert api.post(f"{URL[: -len('/comments')]}/vote", {"option": "invasion"}, key=author.key).status_code == 200
    liked = api.post(URL, {"body": "Older, and liked.", "author_name": "Ann"}, key=author.key).json()["id"]
    newer = api.post(URL, {"body": "Newer, liked by nobody."}).json()["id"]
    for pk in (liked, newer):
        api.post(URL, {"body": f"An answer to {pk}.", "parent_id": pk})
    for _ in range(3):
        assert api.post(f"/api/v1/comments/{liked}/like", key=make_participant().key).status_code == 200
    decide(moderator, liked, "reject")
    decide(moderator, newer, "reject")
    # No stance filter lists a placeholder: it would tell its author's vote.
    for stance in ("invasion", "useful", "none"):
        assert api.get(URL, stance=stance).json()["results"] == [], stance
        assert f'id="c{liked}"' not in anon.get(f"/?stance={stance}").content.decode(), stance
    # The top sort counts no likes for a placeholder, as it shows none: the newer comes first.
    assert [c["id"] for c in api.get(URL, sort="top").json()["results"]] == [newer, liked]
    assert 'class="comment depth-0"' in anon.get("/?sort=top").content.decode()


def test_a_report_that_makes_a_placeholder_is_thanked_under_it(reader, api, debate, settings, no_rate_limits):
    settings.COMMENT_REPORTS_TO_HIDE = 1
    top = api.post(URL, {"body": "Report me."}).json()["id"]
    api.post(URL, {"body": "A reply.", "parent_id": top})
    page = reader.post(f"/comments/{top}/report/", {"reason": "spam"}, headers={"X-Requested-With": "fetch"})
    html = page.content.decode()
    start = html.index(f'id="c{top}"')
    item = html[start : html.index('<ol class="comment-list replies">', start)]
    assert UNDER_REVIEW in item
    assert "Thank you for your report" in item
    # Shown to everyone, a placeholder held for review is not drawn as its author's own held comment.
    assert "is-pending" not in html[html.rindex("<li", 0, start) : start]


def test_a_reply_posted_as_its_parent_is_taken_down_is_not_lost(api, debate, moderator, no_rate_limits, monkeypatch):
    top = api.post(URL, {"body": "Soon rejected."}).json()["id"]
    checks = services._refuse_if_slow_or_repeated

    def a_moderator_decides_meanwhile(*args, **kwargs):
        comment_decide(comment_id=top, moderator=moderator.user, decision="reject", reason="off_topic")
        return checks(*args, **kwargs)

    monkeypatch.setattr(services, "_refuse_if_slow_or_repeated", a_moderator_decides_meanwhile)
    reply = api.post(URL, {"body": "An answer.", "parent_id": top}, key=services.participant_create()[1])
    assert reply.status_code == HTTPStatus.CREATED
    assert [r["id"] for r in shown(api)[top]["replies"]] == [reply.json()["id"]]


def test_a_deleted_comment_is_listed_only_while_a_visible_reply_hangs_on_it(
    anon, api, debate, moderator, make_participant, no_rate_limits
):
    top_author, middle_author = make_participant(), make_participant()
    top = api.post(URL, {"body": "Top."}, key=top_author.key).json()["id"]
    middle = api.post(URL, {"body": "Middle.", "parent_id": top}, key=middle_author.key).json()["id"]
    leaf = api.post(URL, {"body": "Leaf.", "parent_id": middle}).json()["id"]
    decide(moderator, top, "reject")
    assert api.delete(f"/api/v1/comments/{middle}", key=middle_author.key).status_code == HTTPStatus.NO_CONTENT
    assert [shown(api)[pk]["status"] for pk in (top, middle, leaf)] == ["removed", "deleted", "published"]
    html = anon.get("/").content.decode()
    assert '<article aria-label="A comment no longer shown"><p class="deleted">This comment was deleted.</p>' in html
    # The last readable reply goes: the deleted comment stays for the rejected one
    # under it (kept for its appeal), but nothing lists it, nor the placeholder above.
    decide(moderator, leaf, "reject")
    assert shown(api) == {}
    assert Comment.objects.filter(pk=middle, status="deleted").exists()
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 0


def test_a_rejected_placeholder_past_its_retention_stays_a_deleted_one(api, debate, moderator, no_rate_limits):
    top = api.post(URL, {"body": "Old and rejected."}).json()["id"]
    reply = api.post(URL, {"body": "A public answer.", "parent_id": top}).json()["id"]
    decide(moderator, top, "reject")
    Comment.objects.filter(pk=top).update(decided_at=timezone.now() - datetime.timedelta(days=400))
    assert purge_expired_data()["rejected_comments"] == 1
    comments = shown(api)
    assert (comments[top]["status"], comments[reply]["status"]) == ("deleted", "published")
    assert Comment.objects.get(pk=top).body == ""


def test_a_readers_own_held_reply_stays_in_sight_under_a_comment_nobody_else_is_shown(
    api, debate, moderator, make_participant, no_rate_limits
):
    author, replier = make_participant(), make_participant()
    top = api.post(URL, {"body": "Top, soon deleted."}, key=author.key).json()["id"]
    held = api.post(URL, {"body": "Write to me at jane@example.org", "parent_id": top}, key=replier.key).json()
    assert held["status"] == "pending"
    assert api.delete(f"/api/v1/comments/{top}", key=author.key).status_code == HTTPStatus.NO_CONTENT
    # Nobody else is shown the thread: nothing in it is visible to them.
    assert shown(api) == {}
    # Its replier still reads their held reply, under the deleted comment's placeholder.
    mine = shown(api, key=replier.key)
    assert mine[top]["status"] == "deleted"
    assert [r["id"] for r in mine[top]["replies"]] == [held["id"]]
    page = replier.get("/")
    assert "jane@example.org" in page.content.decode()
    assert page.context["comments"].pages == 1
    # Deeper down: under a reply a moderator took down, itself under a published comment.
    second = api.post(URL, {"body": "A second thread."}).json()["id"]
    middle = api.post(URL, {"body": "Its answer.", "parent_id": second}).json()["id"]
    deep = api.post(URL, {"body": "Or write to joe@example.org", "parent_id": middle}, key=replier.key).json()
    decide(moderator, middle, "reject")
    assert shown(api)[second]["replies"] == []
    mine = shown(api, key=replier.key)
    assert (mine[middle]["status"], mine[middle]["body_html"]) == ("removed", "")
    assert [r["id"] for r in mine[middle]["replies"]] == [deep["id"]]
    # A stance filter lists no placeholder, for them either.
    assert [c["id"] for c in api.get(URL, key=replier.key, stance="none").json()["results"]] == [second]


def test_threads_listed_for_one_reader_are_counted_ranked_and_read_like_the_others(
    api, debate, moderator, make_participant, no_rate_limits, settings
):
    settings.COMMENTS_PER_PAGE = 1
    replier, other = make_participant(), make_participant()
    liked = api.post(URL, {"body": "Liked, then taken down."}).json()["id"]
    for _ in range(3):
        api.post(f"/api/v1/comments/{liked}/like", key=make_participant().key)
    api.post(URL, {"body": "Write to me at jane@example.org", "parent_id": liked}, key=replier.key)
    decide(moderator, liked, "reject")
    newer = api.post(URL, {"body": "A newer thread, liked by nobody."}).json()["id"]
    own = api.post(URL, {"body": "My own, held: jane@example.org"}, key=replier.key).json()["id"]
    api.post(URL, {"body": "And my answer to it, held: joe@example.org", "parent_id": own}, key=replier.key)
    # Everyone else: one thread. The replier: that one, their own held one, and the one
    # listed for them alone, each counted once, without counting the debate's threads.
    assert api.get(URL).json()["pages"] == 1
    with CaptureQueriesContext(connection) as replier_reads:
        assert api.get(URL, key=replier.key).json()["pages"] == 3
    with CaptureQueriesContext(connection) as other_reads:
        api.get(URL, key=other.key)
    assert len(app_queries(replier_reads)) == len(app_queries(other_reads))
    # The taken-down comment shows no likes, and the top sort counts none for it.
    firsts = [api.get(URL, key=replier.key, sort="top", page=n).json()["results"][0]["id"] for n in (1, 2, 3)]
    assert firsts == [own, newer, liked]


def test_recounting_after_an_import_makes_the_placeholders(debate):
    top = Comment.objects.create(debate=debate, body="Top", status="rejected")
    middle = Comment.objects.create(debate=debate, parent=top, thread=top, depth=1, body="Middle", status="spam")
    Comment.objects.bulk_create([Comment(debate=debate, parent=middle, thread=top, depth=2, body="Leaf")])
    assert not Comment.objects.filter(placeholder=True).exists()
    debate.recount_comments()
    assert set(Comment.objects.filter(placeholder=True).values_list("pk", flat=True)) == {top.pk, middle.pk}
    assert (debate.thread_count, debate.comment_count) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_reply_taken_down_while_its_parent_is_being_taken_down_leaves_no_empty_placeholder(debate):
    """The parent's decision sees its reply still published and makes it a
    placeholder; the reply's decision, made meanwhile, must then find the parent
    hidden and undo that. Both move the debate's kept counts, so the second waits
    for the first's row lock and then reads the parent as it was committed."""
    parent = Comment.objects.create(debate=debate, body="Parent", status="published")
    reply = Comment.objects.create(debate=debate, parent=parent, thread=parent, depth=1, body="Reply")

    def take_down_the_reply():
        with transaction.atomic():
            comment = Comment.objects.select_for_update().get(pk=reply.pk)
            comment.status = Comment.Status.REJECTED
            comment.save(update_fields=["status"])

    while_deciding(parent.pk, Comment.Status.REJECTED, take_down_the_reply)
    assert not Comment.objects.get(pk=parent.pk).placeholder
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_a_reply_taken_down_just_after_its_parent_read_it_leaves_no_empty_placeholder(
    debate, make_participant, monkeypatch
):
    """The other order: the parent's deletion reads its reply as visible, then the
    reply's rejection commits before the parent's counts are moved. The parent
    reads its replies again once its counts' UPDATE holds the debate row.
    (SQLite takes its write lock at BEGIN, so no other write comes in between.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole write transactions")
    author = make_participant().participant
    parent = Comment.objects.create(debate=debate, participant=author, body="Parent", status="published")
    reply = Comment.objects.create(debate=debate, parent=parent, thread=parent, depth=1, body="Reply")
    count_change = models.count_change

    def reply_taken_down_first(debate_id, depth, before, after):
        if after == ("deleted", True):  # the parent, after reading its reply as visible
            decision = threading.Thread(target=take_down, args=[reply.pk])
            decision.start()
            decision.join()
        count_change(debate_id, depth, before, after)

    def take_down(pk):
        try:
            comment_decide(comment_id=pk, moderator=None, decision="reject", reason="off_topic")
        finally:
            connections.close_all()

    monkeypatch.setattr(models, "count_change", reply_taken_down_first)
    comment_delete(comment_id=parent.pk, participant=author)
    assert Comment.objects.get(pk=reply.pk).status == "rejected"
    assert list(Comment.objects.filter(pk=parent.pk).values_list("status", "placeholder")) == [("deleted", False)]
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_lists_existing_hidden_comments_with_replies(debate, make_participant):
    author = make_participant().participant
    top = Comment.objects.create(debate=debate, participant=author, body="Old", status="published")
    reply = Comment.objects.create(debate=debate, parent=top, thread=top, depth=1, body="Kept", status="published")
    second = Comment.objects.create(debate=debate, body="Second", status="published")
    Comment.objects.create(debate=debate, parent=second, thread=second, depth=1, body="Also kept", status="published")
    Comment.objects.create(debate=debate, body="Alone", status="rejected")
    # A deleted comment kept for a rejected reply alone was listed; it no longer is.
    deleted = Comment.objects.create(debate=debate, body="", status="deleted")
    Comment.objects.create(debate=debate, parent=deleted, thread=deleted, depth=1, body="No", status="rejected")
    # Rejected before placeholders existed: no flag, and the thread count left them out.
    Comment.objects.filter(pk__in=[top.pk, second.pk]).update(status="rejected")
    Debate.objects.filter(pk=debate.pk).update(thread_count=7)
    executor = MigrationExecutor(connection)
    executor.migrate([("debates", "0008_debate_queue_counts")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert set(Comment.objects.filter(placeholder=True).values_list("pk", flat=True)) == {top.pk, second.pk}
    assert not Comment.objects.get(pk=reply.pk).placeholder
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 2
    # Back again, the thread count is what the code before placeholders lists.
    executor.loader.build_graph()
    executor.migrate([("debates", "0008_debate_queue_counts")])
    assert Debate.objects.values_list("thread_count", flat=True).get(pk=debate.pk) == 1
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _deepest_pair(api, make_participant):
    """A thread down to the last level, a comment there by ``author``, and a reply
    to it by ``replier``, which hangs beside it (``reply_to``); their ids."""
    author, replier = make_participant(), make_participant()
    above = None
    for level in range(3):
        above = api.post(URL, {"body": f"Level {level}.", "parent_id": above}).json()["id"]
    answered = api.post(URL, {"body": "Deepest.", "parent_id": above}, key=author.key).json()["id"]
    reply = api.post(URL, {"body": "An answer beside it.", "parent_id": answered}, key=replier.key).json()["id"]
    assert Comment.objects.get(pk=reply).reply_to_id == answered
    return author, replier, answered, reply


def test_a_comment_answered_from_beside_keeps_a_placeholder_while_the_answer_is_shown(
    anon, api, debate, moderator, make_participant, no_rate_limits
):
    author, replier, answered, reply = _deepest_pair(api, make_participant)
    assert api.delete(f"/api/v1/comments/{answered}", key=author.key).status_code == HTTPStatus.NO_CONTENT
    comments = shown(api)
    assert (comments[answered]["status"], comments[reply]["reply_to_id"]) == ("deleted", answered)
    assert f'replying to <a href="#c{answered}">a deleted comment</a>' in anon.get("/").content.decode()
    # The answer goes: so does the placeholder it kept.
    assert api.delete(f"/api/v1/comments/{reply}", key=replier.key).status_code == HTTPStatus.NO_CONTENT
    assert not Comment.objects.filter(pk=answered).exists()

    author, _, answered, reply = _deepest_pair(api, make_participant)
    decide(moderator, answered, "reject")
    assert shown(api)[answered]["status"] == "removed"
    assert f'replying to <a href="#c{answered}">a removed comment</a>' in anon.get("/").content.decode()
    rejected = moderator.get("/moderation/?tab=rejected").content.decode()
    item = rejected[rejected.index(f'id="item-{answered}"') :]
    assert f"Readers see “{REMOVED}” in its place: 1 reply to it is shown." in item[: item.index("</li>")]
    decide(moderator, reply, "reject")  # nothing shown answers it now
    assert not Comment.objects.get(pk=answered).placeholder
    assert answered not in shown(api)


def _last_level_chain(debate) -> list[int]:
    """At the last level: a rejected comment, a deleted one answering it, and a
    published one answering that, none of the first two flagged a placeholder."""
    top = Comment.objects.create(debate=debate, body="Top", status="published")
    above = top
    for depth in (1, 2):
        above = Comment.objects.create(
            debate=debate, parent=above, thread=top, depth=depth, body="x", status="published"
        )
    first = Comment.objects.create(debate=debate, parent=above, thread=top, depth=3, body="First", status="rejected")
    second = Comment.objects.create(
        debate=debate, parent=above, thread=top, depth=3, reply_to=first, body="", status="deleted"
    )
    Comment.objects.bulk_create(
        [Comment(debate=debate, parent=above, thread=top, depth=3, reply_to=second, body="Last", status="published")]
    )
    Comment.objects.filter(pk__in=[first.pk, second.pk]).update(placeholder=False)
    return [first.pk, second.pk]


def test_recounting_makes_placeholders_of_comments_answered_from_beside(debate):
    answered = _last_level_chain(debate)
    debate.recount_comments()
    assert set(Comment.objects.filter(placeholder=True).values_list("pk", flat=True)) == set(answered)


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_placeholders_of_comments_answered_from_beside(debate):
    answered = _last_level_chain(debate)
    executor = MigrationExecutor(connection)
    executor.migrate([("debates", "0011_comment_reply_to")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert set(Comment.objects.filter(placeholder=True).values_list("pk", flat=True)) == set(answered)
