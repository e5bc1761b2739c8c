"""Query counts of the hot paths, each shown not to grow with the data.

Counts leave out the database cache's own queries (``app_queries``), so they
are the same with the database cache and with Redis.
"""

from http import HTTPStatus

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Ballot, Comment, Debate, Participant
from forum.debates.services import participant_create
from tests.conftest import app_queries

API = "/api/v1/debates/{}/comments"


def add_comments(debate, n: int) -> None:
    """n top-level comments with one reply each, written straight to the database."""
    author = participant_create()[0]
    tops = Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, body=f"c{i}", body_html=f"<p>c{i}</p>") for i in range(n)
    )
    for top in tops:
        top.thread = top
    Comment.objects.bulk_update(tops, ["thread"])
    Comment.objects.bulk_create(
        Comment(debate=debate, participant=author, parent=t, thread=t, depth=1, body="r", body_html="<p>r</p>")
        for t in tops
    )
    Debate.objects.filter(pk=debate.pk).update(version=F("version") + 1)


def queries(client, path, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    return app_queries(ctx)


@pytest.mark.parametrize("comments", [1, 300])
@pytest.mark.parametrize("path", ["/", "/debates/clearview-ai-cnil-fine/"])
def test_a_cached_anonymous_page_costs_one_query_whatever_the_number_of_comments(anon, debate, comments, path):
    add_comments(debate, comments)
    anon.get(path)  # renders the page once for every reader without a key
    # the debate's key (its version keys the cached page); nothing else
    (debate_key,) = queries(Client(), path)
    assert_reads_only_the_key(debate_key)


def assert_reads_only_the_key(sql: str) -> None:
    """A hit reads the fields of the debate's cache key, not the summary (kilobytes)."""
    selected = sql.split(" FROM ")[0]
    for column in ("version", "created_at", "poll_open", "poll_closes_at"):
        assert f'"{column}"' in selected, sql
    for column in ("summary", "summary_html", "title"):
        assert f'"{column}"' not in selected, sql


@pytest.mark.parametrize("comments", [1, 300])
def test_rendering_the_anonymous_page_takes_as_many_queries_for_300_comments_as_for_1(anon, debate, comments):
    add_comments(debate, 1)
    anon.get("/")  # the pepper, results and ranking caches are warm from here on
    add_comments(debate, comments)  # a new version: the next request renders
    # the debate's key, the rest of the debate (read only on a miss), its
    # options, page of comments with their replies (the counts are on the
    # debate row), the likers by stance and the scored candidates of the
    # common-ground ranking (recomputed for the new version)
    assert len(queries(anon, "/")) == 6


@pytest.mark.parametrize("comments", [1, 300])
def test_a_cached_anonymous_comments_api_response_costs_one_query(api, debate, comments):
    add_comments(debate, comments)
    api.get(API.format(debate.slug))
    # the debate's key (its version keys the cached JSON); nothing else
    (debate_key,) = queries(Client(), API.format(debate.slug))
    assert_reads_only_the_key(debate_key)


@pytest.mark.parametrize("comments", [1, 300])
def test_rendering_the_anonymous_comments_api_takes_as_many_queries_for_300_comments(api, debate, comments):
    add_comments(debate, comments)
    # the debate's key, the rest of the debate, its options, page with its
    # replies (the counts are on the debate row)
    assert len(queries(api.client, API.format(debate.slug))) == 4


@pytest.mark.parametrize("comments", [1, 300])
def test_the_comments_api_with_a_key_takes_as_many_queries_for_300_comments(api, debate, comments):
    add_comments(debate, comments)
    key = participant_create()[1]
    api.get(API.format(debate.slug), key=key)  # the participant is touched once a day
    # debate, its options, participant by key hash, the viewer's held comments
    # (the other counts are on the debate row), page with its replies, the
    # viewer's likes on the page
    got = queries(api.client, API.format(debate.slug), HTTP_X_PARTICIPANT_KEY=key)
    assert len(got) == 6, got


@pytest.mark.parametrize("ballots", [1, 300])
def test_the_results_page_takes_as_many_queries_for_300_ballots_as_for_1(anon, debate, ballots):
    people = Participant.objects.bulk_create(Participant(key_hash=f"{i:064x}") for i in range(ballots))
    option = debate.options.first()
    Ballot.objects.bulk_create(Ballot(debate=debate, participant=p, option=option, first_option=option) for p in people)
    Debate.objects.filter(pk=debate.pk).update(results_visibility=Debate.ResultsVisibility.ALWAYS)
    anon.get(f"/debates/{debate.slug}/results/")  # computes and caches the results of this version
    # debate and its options; the results come from the cache
    assert len(queries(anon, f"/debates/{debate.slug}/results/")) == 2
