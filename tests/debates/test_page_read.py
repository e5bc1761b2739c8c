"""A page of comments is read by SQL compiled once per shape of page (sort,
stance filter, with or without a viewer, page number) and run with the debate,
viewer and stance of each request: it must list what the QuerySet it was
compiled from lists, for every debate, viewer and stance, not the first one's."""

import itertools

import pytest

from forum.debates import reading
from forum.debates.models import Comment
from forum.debates.services import participant_create


def _comment(debate, body, *, participant=None, stance=None, parent=None, status=Comment.Status.PUBLISHED):
    return Comment.objects.create(
        debate=debate,
        participant=participant,
        stance=stance,
        parent=parent,
        thread=parent.thread if parent else None,
        depth=parent.depth + 1 if parent else 0,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
    )


@pytest.fixture
def two_debates(debate, second_debate):
    other = second_debate
    viewers = [participant_create()[0] for _ in range(2)]
    for d in (debate, other):
        options = list(d.options.all())
        for i in range(7):
            top = _comment(d, f"{d.slug} top {i}", stance=options[i % 2] if i % 3 else None)
            if i % 2:
                _comment(d, f"{d.slug} reply to {i}", parent=top, stance=options[0])
        for viewer in viewers:
            held = _comment(d, f"{d.slug} held by {viewer.pk}", participant=viewer, stance=options[1], status="pending")
            _comment(d, f"{d.slug} held reply by {viewer.pk}", participant=viewer, parent=held, status="pending")
    return [debate, other], viewers


def _ids(rows) -> list[int]:
    return sorted(c.pk for c in rows)


def test_each_shape_of_page_lists_what_its_queryset_lists_for_every_debate_viewer_and_stance(two_debates, settings):
    settings.COMMENTS_PER_PAGE = 3
    debates, viewers = two_debates
    for sort, page, debate, viewer in itertools.product(
        ("newest", "oldest", "top"), (1, 2, 3), debates, [None, *viewers]
    ):
        for stance in ("", "none", *(o.key for o in debate.options.all())):
            offset = (page - 1) * 3
            compiled = reading._page_rows(debate.pk, viewer, stance, sort, offset, 3)
            expected = reading._threads_with_replies(reading._top_level(debate.pk, viewer, stance), sort, offset, 3)
            assert _ids(compiled) == _ids(expected), (sort, page, debate.slug, viewer, stance)
    # Shapes really differ: a viewer's held comments are theirs alone.
    first, second = (reading._page_rows(debates[0].pk, v, "", "newest", 0, 3) for v in viewers)
    assert {c.participant_id for c in first if c.status == "pending"} == {viewers[0].pk}
    assert {c.participant_id for c in second if c.status == "pending"} == {viewers[1].pk}


def test_a_shape_is_compiled_once_and_then_run_without_the_orm(two_debates, settings, monkeypatch):
    settings.COMMENTS_PER_PAGE = 2
    debates, viewers = two_debates
    reading._page_read.cache_clear()
    first = reading.comment_page(debates[0], viewers[0], sort="oldest", page=2)

    def compiled_again(*args, **kwargs):
        raise AssertionError("the page's query was built again")

    monkeypatch.setattr(reading, "_threads_with_replies", compiled_again)
    again = reading.comment_page(debates[0], viewers[0], sort="oldest", page=2)
    assert [c.pk for c in again.threads] == [c.pk for c in first.threads]
    other = reading.comment_page(debates[1], viewers[1], sort="oldest", page=2)
    assert {c.debate_id for c in other.threads} == {debates[1].pk}
