"""Common ground ranking: support from every side beats support from one."""

import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.debates.models import Ballot, Comment, Participant
from forum.debates.ranking import common_ground_score, wilson_lower_bound
from forum.debates.services import like_toggle, participant_create
from tests.conftest import app_queries

SLUG = "clearview-ai-cnil-fine"
URL = f"/api/v1/debates/{SLUG}/comments"


@pytest.fixture
def crowd(debate):
    """Factory: n participants who voted for the given option."""
    options = {o.key: o for o in debate.options.all()}

    def make(option_key, n):
        people = []
        for _ in range(n):
            participant, _ = participant_create()
            if option_key != "none":
                option = options[option_key]
                Ballot.objects.create(debate=debate, participant=participant, option=option, first_option=option)
            people.append(participant)
        return people

    return make


def comment(debate, text, minutes_ago=0):
    author, _ = participant_create()
    c = Comment.objects.create(
        debate=debate,
        participant=author,
        body=text,
        body_html=f"<p>{text}</p>",
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )
    Comment.objects.filter(pk=c.pk).update(thread=c.pk)
    return c


def like(c, people):
    for p in people:
        like_toggle(comment_id=c.pk, participant=p)


def ids(api, sort="common_ground"):
    return [c["id"] for c in api.get(URL, sort=sort).json()["results"]]


def test_wilson_bound_grows_with_evidence():
    assert wilson_lower_bound(0, 10) == 0
    assert wilson_lower_bound(5, 10) < wilson_lower_bound(50, 100) < 0.5
    assert 0 < wilson_lower_bound(1, 1) < 1


def test_score_is_zero_when_one_side_gave_nothing():
    assert common_ground_score({"useful": 100}, {"useful": 100, "invasion": 50}, ["useful", "invasion"]) == 0
    assert (
        common_ground_score({"useful": 10, "invasion": 10}, {"useful": 100, "invasion": 50}, ["useful", "invasion"]) > 0
    )


def test_liked_by_both_sides_ranks_above_liked_by_one(api, debate, crowd, no_rate_limits):
    useful, invasion = crowd("useful", 6), crowd("invasion", 6)
    one_sided = comment(debate, "one side", minutes_ago=1)
    both = comment(debate, "both sides", minutes_ago=2)
    like(one_sided, useful)
    like(both, useful[:3] + invasion[:3])
    assert ids(api)[:2] == [both.pk, one_sided.pk]


def test_100_likes_from_one_side_do_not_beat_10_from_each(api, debate, crowd, no_rate_limits):
    useful, invasion = crowd("useful", 100), crowd("invasion", 10)
    loud = comment(debate, "loud", minutes_ago=1)
    bridge = comment(debate, "bridge", minutes_ago=5)
    like(loud, useful)
    like(bridge, useful[:10] + invasion)
    assert ids(api)[0] == bridge.pk
    assert ids(api, sort="top")[0] == loud.pk


def test_ties_break_by_recency(api, debate, crowd, no_rate_limits):
    useful, invasion = crowd("useful", 2), crowd("invasion", 2)
    older = comment(debate, "older", minutes_ago=10)
    newer = comment(debate, "newer", minutes_ago=1)
    like(older, [useful[0], invasion[0]])
    like(newer, [useful[0], invasion[0]])
    assert ids(api)[:2] == [newer.pk, older.pk]


def test_withdrawn_like_changes_the_score_at_once(api, debate, crowd, no_rate_limits):
    useful, invasion = crowd("useful", 3), crowd("invasion", 3)
    first = comment(debate, "first", minutes_ago=5)
    second = comment(debate, "second", minutes_ago=1)
    like(first, useful + invasion)
    like(second, useful[:1] + invasion[:1])
    assert ids(api)[0] == first.pk
    like(first, invasion)  # all three take their like back
    assert ids(api)[0] == second.pk


def test_erased_participant_changes_the_score_at_once(api, debate, crowd, no_rate_limits):
    useful, invasion = crowd("useful", 1), crowd("invasion", 1)
    bridge = comment(debate, "bridge", minutes_ago=5)
    newest = comment(debate, "newest", minutes_ago=1)
    like(bridge, useful + invasion)
    assert ids(api)[0] == bridge.pk
    Participant.objects.filter(pk=invasion[0].pk).delete()  # erasure removes the like row
    Comment.objects.filter(pk=bridge.pk).update(likes_by_stance={"useful": 1}, like_count=1)
    from forum.debates.services import _bump

    _bump(debate.pk)
    assert ids(api)[0] == newest.pk


def test_breakdown_by_stance_shows_only_from_five_likes(api, debate, crowd, no_rate_limits):
    useful, invasion, none = crowd("useful", 3), crowd("invasion", 1), crowd("none", 1)
    c = comment(debate, "counted")
    like(c, useful + invasion)
    [item] = api.get(URL).json()["results"]
    assert item["likes_by_stance"] is None
    like(c, none)
    [item] = api.get(URL).json()["results"]
    assert item["likes_by_stance"] == {"useful": 3, "invasion": 1, "unsure": 0, "none": 1}


def test_page_shows_the_panel_and_the_bar(anon, debate, crowd, no_rate_limits):
    useful, invasion = crowd("useful", 3), crowd("invasion", 3)
    c = comment(debate, "We can agree on transparency")
    like(c, useful + invasion)
    html = anon.get("/").content.decode()
    assert "Where the sides agree" in html
    assert "Liked by readers who voted" in html
    assert anon.get("/?sort=common_ground").status_code == HTTPStatus.OK


def test_like_records_the_stance_at_that_moment(debate, crowd, no_rate_limits):
    [voter] = crowd("useful", 1)
    c = comment(debate, "x")
    like(c, [voter])
    Ballot.objects.filter(participant=voter).delete()
    c.refresh_from_db()
    assert c.likes_by_stance == {"useful": 1}


@pytest.mark.parametrize("n", [10, 1000])
def test_ranking_costs_no_query_per_comment(api, debate, crowd, n, no_rate_limits):
    useful, invasion = crowd("useful", 2), crowd("invasion", 2)
    author, _ = participant_create()
    made = Comment.objects.bulk_create(
        Comment(
            debate=debate,
            participant=author,
            body=f"c{i}",
            body_html=f"<p>c{i}</p>",
            like_count=2,
            likes_by_stance={"useful": 2},  # one side only: candidates that score 0
        )
        for i in range(n)
    )
    like(made[0], useful + invasion)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(URL, sort="common_ground").status_code == HTTPStatus.OK
    # debate's key, the rest of the debate (a miss), options, likers by stance,
    # scored candidates, scored rows of the page, unscored rest of the page,
    # replies (the counts are on the debate row)
    assert len(app_queries(ctx)) == 8, app_queries(ctx)
