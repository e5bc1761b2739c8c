"""The API's results come from the daily tallies: the same figures as a full
count of the ballots, in a number of queries that does not grow with them."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Debate
from forum.debates.privacy import participant_erase
from forum.debates.results import compute_results, poll_counts
from forum.debates.services import participant_create, vote_cast, vote_withdraw
from tests.conftest import app_queries

VOTE = "/api/v1/debates/clearview-ai-cnil-fine/vote"
RESULTS = "/api/v1/debates/clearview-ai-cnil-fine/results"


def vote(debate, option, participant=None):
    return vote_cast(debate=debate, participant=participant, option_key=option, network_hash="test").participant


def same_figures(debate):
    """poll_counts agrees with a full count of the ballots."""
    counts, full = poll_counts(debate), compute_results(debate)
    assert counts["total"] == full["total"]
    assert counts["options"] == full["options"]
    assert counts["changed_minds"] == full["changed_minds"]
    return counts


def test_counts_follow_new_ballots_changes_withdrawals_and_erasures(debate, no_rate_limits):
    voters = [vote(debate, "useful") for _ in range(3)]
    assert same_figures(debate)["total"] == 3
    vote(debate, "invasion", voters[0])  # a change of mind
    counts = same_figures(debate)
    assert counts["changed_minds"] == 1
    assert [o["votes"] for o in counts["options"]] == [2, 1, 0]
    vote(debate, "useful", voters[0])  # and back: no longer a changed mind
    assert same_figures(debate)["changed_minds"] == 0
    vote(debate, "unsure", voters[1])
    vote_withdraw(debate=debate, participant=voters[1])
    assert same_figures(debate)["total"] == 2
    vote(debate, "invasion", voters[2])
    participant_erase(voters[2])
    counts = same_figures(debate)
    assert counts["total"] == 1
    assert counts["changed_minds"] == 0


def test_a_new_ballot_does_not_recount_the_changed_minds(debate, no_rate_limits):
    vote(debate, "useful")
    poll_counts(debate)  # counts the changed minds once for this total of removals
    vote(debate, "invasion")
    debate = Debate.objects.prefetch_related("options").get(pk=debate.pk)
    with CaptureQueriesContext(connection) as ctx:
        counts = poll_counts(debate)
    # the tallies summed per option; the changed minds come from the cache
    assert len(app_queries(ctx)) == 1, app_queries(ctx)
    assert counts["total"] == 2


@pytest.mark.parametrize("ballots", [1, 200])
def test_the_vote_answer_takes_as_many_queries_for_200_earlier_ballots_as_for_1(api, debate, no_rate_limits, ballots):
    for _ in range(ballots):
        vote(debate, "useful")
    api.post(VOTE, {"option": "invasion"})  # the network pepper, today's tally rows, the changed minds
    with CaptureQueriesContext(connection) as ctx:
        response = api.post(VOTE, {"option": "useful"})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["results"]["total"] == ballots + 2
    # debate, its options; then active ban, new participant, ballot insert (a new
    # key has no ballot to lock), daily tally update, version bump, tallies summed
    # per option: six statements on SQLite, one on PostgreSQL
    assert len(app_queries(ctx)) == (3 if connection.vendor == "postgresql" else 8), app_queries(ctx)


def test_the_results_api_shows_a_voters_results_and_hides_them_from_others(api, debate, no_rate_limits):
    key = participant_create()[1]
    api.post(VOTE, {"option": "invasion"}, key=key)
    mine = api.get(RESULTS, key=key).json()
    assert mine["visible"]
    assert mine["total"] == 1
    assert {o["key"]: o["votes"] for o in mine["options"]}["invasion"] == 1
    others = api.get(RESULTS).json()
    assert not others["visible"]
    assert others["total"] is None
    Debate.objects.filter(pk=debate.pk).update(results_visibility=Debate.ResultsVisibility.ALWAYS)
    assert api.get(RESULTS).json()["total"] == 1
