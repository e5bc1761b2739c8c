"""Query counts of the two write paths every reader uses: posting a comment and
voting. Each is small, and the same whatever the number of comments, ballots,
participants or word rules already there.

Counts leave out the database cache's own queries and the savepoints of the
test's transaction (``app_queries``), so they are the same with Redis.
"""

from http import HTTPStatus

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Comment, Debate, WordRule
from forum.debates.services import participant_create, vote_cast
from tests.conftest import app_queries

COMMENTS = "/api/v1/debates/clearview-ai-cnil-fine/comments"
VOTE = "/api/v1/debates/clearview-ai-cnil-fine/vote"


def add_data(debate, n: int) -> str:
    """n participants with a ballot and a comment each, n word rules; returns the key of one of them."""
    key = ""
    for i in range(n):
        participant, key = participant_create()
        vote_cast(debate=debate, participant=participant, option_key="useful", network_hash=f"{i:032x}")
        Comment.objects.create(debate=debate, participant=participant, body=f"c{i}", body_html=f"<p>c{i}</p>")
    WordRule.objects.bulk_create(WordRule(pattern=f"word{i}", action=WordRule.Action.HOLD) for i in range(n))
    return key


def captured(api, path, data, key=None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = api.post(path, data, key=key)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.CREATED), response.content[:500]
    return app_queries(ctx)


@pytest.fixture
def warm(api, debate, no_rate_limits):
    """The network pepper, this month's transparency row and today's tally rows exist."""
    api.post(COMMENTS, {"body": "A first comment makes the month's tally row."})
    for option in debate.options.all():
        api.post(VOTE, {"option": option.key})


@pytest.mark.parametrize("earlier", [1, 50])
def test_a_new_readers_comment_takes_seven_queries_whatever_the_data(api, debate, warm, earlier):
    add_data(debate, earlier)
    sql = captured(api, COMMENTS, {"body": "Courts, not vendors, should decide this."})
    # the debate, the ban check, the word rules; then the new participant, the
    # comment (the database makes it head its own thread), the debate's comment
    # counts with its version bump, its transparency count
    assert len(sql) == 7, "\n".join(s[:150] for s in sql)


@pytest.mark.parametrize("earlier", [1, 50])
def test_a_returning_readers_comment_takes_ten_queries_whatever_the_data(api, debate, warm, earlier):
    key = add_data(debate, earlier)
    sql = captured(api, COMMENTS, {"body": "Still of the same mind.", "idempotency_key": "k1"}, key=key)
    # the key, the debate, the idempotency key, the ban check, slow mode and
    # duplicates in one, the word rules, the author's stance; then the comment,
    # the debate's comment counts with its version bump, its transparency count
    assert len(sql) == 10, "\n".join(s[:150] for s in sql)


def test_a_comment_retried_with_its_idempotency_key_takes_three_queries(api, debate, warm):
    key = participant_create()[1]
    api.post(COMMENTS, {"body": "Said once.", "idempotency_key": "k2"}, key=key)
    sql = captured(api, COMMENTS, {"body": "Said once.", "idempotency_key": "k2"}, key=key)
    # the key, the debate, the comment already made
    assert len(sql) == 3, "\n".join(s[:150] for s in sql)
    assert Comment.objects.filter(body="Said once.").count() == 1


@pytest.mark.parametrize("earlier", [1, 50])
def test_a_new_readers_vote_takes_eight_queries_or_three_whatever_the_data(api, debate, warm, earlier):
    add_data(debate, earlier)
    sql = captured(api, VOTE, {"option": "unsure"})
    # the debate, its options; then on SQLite the ban check, the new participant,
    # the ballot (a new key has none to lock), today's tally, the version bump,
    # the tallies summed for the answer; on PostgreSQL all of those in one statement
    assert len(sql) == (3 if connection.vendor == "postgresql" else 8), "\n".join(s[:150] for s in sql)


def test_a_new_readers_vote_reads_nothing_from_the_cache(api, debate, warm, monkeypatch):
    """The changed-minds count is kept in the process under the tallies' total
    of removals, which a new ballot does not move."""
    backend = caches["default"]
    reads = []
    for name in ("get", "get_many"):
        real = getattr(backend, name)
        monkeypatch.setattr(
            backend, name, lambda *args, _real=real, **kwargs: reads.append(args) or _real(*args, **kwargs)
        )
    answer = api.post(VOTE, {"option": "unsure"}).json()
    assert reads == []
    assert answer["results"]["changed_minds"] == 0
    changer = participant_create()[1]
    api.post(VOTE, {"option": "useful"}, key=changer)
    assert api.post(VOTE, {"option": "unsure"}, key=changer).json()["results"]["changed_minds"] == 1


@pytest.mark.parametrize("earlier", [1, 50])
def test_a_change_of_mind_takes_eleven_queries_or_twelve_whatever_the_data(api, debate, warm, earlier):
    key = add_data(debate, earlier)
    sql = captured(api, VOTE, {"option": "unsure"}, key=key)
    # the key, the debate, its options, the ban check; then on PostgreSQL the
    # commit told not to wait for the flush; the ballot locked, the old and the
    # new option's tallies, the ballot, the version bump; the tallies summed,
    # the changed minds counted (their total of removals moved)
    assert len(sql) == (12 if connection.vendor == "postgresql" else 11), "\n".join(s[:150] for s in sql)


def test_every_write_moves_the_debates_version(api, debate, warm):
    before = Debate.objects.get(pk=debate.pk).version
    api.post(COMMENTS, {"body": "One more."})
    api.post(VOTE, {"option": "useful"})
    assert Debate.objects.get(pk=debate.pk).version == before + 2
