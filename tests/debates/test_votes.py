"""The stance poll: voting, changing, withdrawing, visibility, integrity under load."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.debates.models import Ballot, DailyTally, Debate, Participant
from forum.debates.privacy import participant_erase
from forum.debates.results import compute_results, shares
from forum.debates.seed import ensure_clearview_debate
from forum.debates.services import participant_create
from tests.conftest import app_queries

SLUG = "clearview-ai-cnil-fine"
VOTE = f"/api/v1/debates/{SLUG}/vote"
RESULTS = f"/api/v1/debates/{SLUG}/results"
COMMENTS = f"/api/v1/debates/{SLUG}/comments"


def counts(debate):
    return {o["key"]: o["votes"] for o in compute_results(debate)["options"]}


def test_first_vote_creates_a_participant_and_returns_results(api, debate, no_rate_limits):
    response = api.post(VOTE, {"option": "invasion"})
    assert response.status_code == HTTPStatus.OK
    data = response.json()
    assert data["option"] == "invasion"
    assert data["changed"] is False
    assert data["participant_key"]
    assert data["results"]["total"] == 1
    assert Participant.objects.count() == 1


@pytest.mark.parametrize("visibility", ["after_vote", "after_close"])
def test_a_vote_answers_exactly_its_documented_schema(api, debate, visibility, no_rate_limits):
    """The vote, the hottest write, serialises its answer itself (django-ninja's
    output validation cost a tenth of it): the answer must stay what VoteOut says,
    field for field and type for type, with no field more."""
    from forum.debates.api import VoteOut

    Debate.objects.filter(pk=debate.pk).update(results_visibility=visibility)
    key = participant_create()[1]
    for response in (api.post(VOTE, {"option": "unsure"}), api.post(VOTE, {"option": "useful"}, key=key)):
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert VoteOut.model_validate(body).model_dump(mode="json", exclude_unset=True) == body
    assert ("participant_key" in body, body["results"] is None) == (False, visibility == "after_close")
    # Types exactly (== alone takes 1 for 1.0 and for True).
    assert (type(body["option"]), type(body["changed"])) == (str, bool)
    if body["results"] is not None:
        results = body["results"]
        assert [type(results[k]) for k in ("question", "visible", "total", "changed_minds", "updated_at")] == [
            str,
            bool,
            int,
            int,
            str,
        ]
        for option in results["options"]:
            assert [type(option[k]) for k in ("key", "label", "votes", "percent")] == [str, str, int, float]


def test_a_first_vote_answers_the_results_a_read_gives_after_it(api, debate, no_rate_limits):
    """Over tallies of earlier days, and for an option without today's row yet
    (PostgreSQL reads the sums in the vote's own statement, before its ballot)."""
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    useful, invasion, _ = debate.options.order_by("position")
    DailyTally.objects.create(option=useful, day=yesterday, added=5, removed=1)
    DailyTally.objects.create(option=invasion, day=yesterday, added=2, removed=0)
    for option in ("unsure", "unsure", "useful", "invasion"):
        answer = api.post(VOTE, {"option": option}).json()
        answered, read = answer["results"], api.get(RESULTS, key=answer["participant_key"]).json()
        assert answered["options"] == read["options"], option
        assert (answered["total"], answered["changed_minds"]) == (read["total"], read["changed_minds"])
    assert [o["votes"] for o in read["options"]] == [5, 3, 2]
    assert (read["total"], read["changed_minds"]) == (10, 0)


def test_changing_a_vote_moves_one_count_and_never_double_counts(api, debate, no_rate_limits):
    key = participant_create()[1]
    api.post(VOTE, {"option": "useful"}, key=key)
    response = api.post(VOTE, {"option": "invasion"}, key=key)
    assert response.json()["changed"] is True
    assert "participant_key" not in response.json()
    assert counts(debate) == {"useful": 0, "invasion": 1, "unsure": 0}
    ballot = Ballot.objects.get()
    assert ballot.first_option.key == "useful"
    assert ballot.changes == 1
    assert response.json()["results"]["changed_minds"] == 1
    # Voting the same option again changes nothing.
    assert api.post(VOTE, {"option": "invasion"}, key=key).json()["changed"] is False
    assert Ballot.objects.get().changes == 1


def test_withdrawing_removes_the_vote(api, debate, no_rate_limits):
    key = participant_create()[1]
    api.post(VOTE, {"option": "unsure"}, key=key)
    assert api.delete(VOTE, key=key).status_code == HTTPStatus.NO_CONTENT
    assert Ballot.objects.count() == 0
    assert counts(debate) == {"useful": 0, "invasion": 0, "unsure": 0}
    # The day's tallies record the removal, so the running sum equals the count.
    assert sum(t.added - t.removed for t in DailyTally.objects.all()) == 0


def test_unknown_option_is_400_and_closed_poll_is_403(api, debate, no_rate_limits):
    response = api.post(VOTE, {"option": "maybe"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"option": "unknown"}
    debate.poll_open = False
    debate.save()
    assert api.post(VOTE, {"option": "useful"}).status_code == HTTPStatus.FORBIDDEN


def _closed(debate):
    debate.poll_open = False
    debate.save()


def _past_its_closing_time(debate):
    debate.poll_closes_at = timezone.now() - datetime.timedelta(seconds=1)
    debate.save()


@pytest.mark.parametrize(
    ("slug", "option", "change", "status"),
    [
        ("no-such-debate", "useful", None, HTTPStatus.NOT_FOUND),
        (None, "maybe", None, HTTPStatus.BAD_REQUEST),
        (None, "useful", _closed, HTTPStatus.FORBIDDEN),
        (None, "useful", _past_its_closing_time, HTTPStatus.FORBIDDEN),
    ],
)
def test_a_new_readers_refused_vote_leaves_no_trace(api, debate, no_rate_limits, slug, option, change, status):
    if change:
        change(debate)
    version = Debate.objects.get(pk=debate.pk).version
    url = VOTE.replace(debate.slug, slug) if slug else VOTE
    response = api.post(url, {"option": option})
    assert response.status_code == status, response.content
    assert "participant_key" not in response.json()
    assert not Participant.objects.exists()
    assert not Ballot.objects.exists()
    assert not DailyTally.objects.exists()
    assert Debate.objects.get(pk=debate.pk).version == version


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_a_vote_commits_without_waiting_for_the_flush_and_a_comment_waits(api, debate, no_rate_limits):
    """``synchronous_commit`` off for a vote's transaction only, not for an
    erasure that withdraws a ballot. The test runs in one transaction, so the
    setting a request made is still there after it."""

    def synchronous_commit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert api.post(COMMENTS, {"body": "Durable words."}).status_code == HTTPStatus.CREATED
    assert synchronous_commit() == "on"
    key = api.post(VOTE, {"option": "useful"}).json()["participant_key"]  # a new key's one statement
    assert synchronous_commit() == "off"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO on")
    assert api.post(VOTE, {"option": "unsure"}, key=key).json()["changed"] is True  # a change of mind
    assert synchronous_commit() == "off"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO on")
    assert api.delete(VOTE, key=key).status_code == HTTPStatus.NO_CONTENT  # a withdrawal
    assert synchronous_commit() == "off"
    api.post(VOTE, {"option": "useful"}, key=key)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO on")
    participant_erase(Ballot.objects.get(debate=debate).participant)  # withdraws the ballot, durably
    assert not Ballot.objects.exists()
    assert synchronous_commit() == "on"


@pytest.mark.parametrize(
    ("mode", "voted", "closed", "visible"),
    [
        ("after_vote", False, False, False),
        ("after_vote", True, False, True),
        ("after_vote", False, True, True),
        ("always", False, False, True),
        ("after_close", True, False, False),
        ("after_close", False, True, True),
    ],
)
def test_results_visibility_modes(api, debate, mode, voted, closed, visible, no_rate_limits):
    key = participant_create()[1]
    other = participant_create()[1]
    api.post(VOTE, {"option": "useful"}, key=other)
    if voted:
        api.post(VOTE, {"option": "invasion"}, key=key)
    Debate.objects.filter(pk=debate.pk).update(results_visibility=mode, poll_open=not closed)
    data = api.get(RESULTS, key=key).json()
    assert data["visible"] is visible
    if visible:
        assert data["total"] == (2 if voted else 1)
        assert sum(o["percent"] for o in data["options"]) == pytest.approx(100)
    else:
        assert data["total"] is None
        assert all(o["votes"] is None for o in data["options"])


def _a_day_before(debate):
    """The poll ran the day before too (a vote cast and withdrawn): a trend has two days to join."""
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    DailyTally.objects.create(option=debate.options.get(key="useful"), day=yesterday, added=1, removed=1)


def test_results_page_shows_figures_charts_and_the_self_selection_note(reader, debate, no_rate_limits):
    _a_day_before(debate)
    for option in ["useful", "invasion", "invasion"]:
        Client().post(VOTE, {"option": option}, content_type="application/json")
    reader.post(f"/debates/{SLUG}/vote/", {"option": "unsure"})
    html = reader.get(f"/debates/{SLUG}/results/").content.decode()
    assert "self-selected" in html
    assert "<svg" in html
    assert "<polyline" in html
    assert "50.0%" in html  # invasion: 2 of 4
    assert "25.0%" in html
    assert '<td class="num">4</td>' in html  # total
    assert "trend shows from the second day" not in html


def test_withdrawing_on_the_page_says_so_and_goes_back_to_the_readers_page_of_comments(reader, debate, no_rate_limits):
    reader.post(f"/debates/{SLUG}/vote/", {"option": "unsure"})
    response = reader.post(f"/debates/{SLUG}/vote/withdraw/", {"return_query": "?sort=oldest&page=2"})
    assert response["Location"] == f"/debates/{SLUG}/?sort=oldest&page=2&withdrawn=1#poll"
    assert not Ballot.objects.exists()
    notice = "Your vote is withdrawn: it no longer counts in the results."
    assert notice in reader.get(response["Location"]).content.decode()
    back = reader.post(f"/debates/{SLUG}/vote/withdraw/")
    assert back["Location"] == f"/debates/{SLUG}/?withdrawn=1#poll"
    # The flag says nothing to a reader who has a vote, or no key.
    reader.post(f"/debates/{SLUG}/vote/", {"option": "useful"})
    assert notice not in reader.get(f"/debates/{SLUG}/?withdrawn=1").content.decode()
    assert notice not in Client().get(f"/debates/{SLUG}/?withdrawn=1").content.decode()


def test_sending_the_same_answer_again_says_it_is_already_the_vote(reader, debate, no_rate_limits):
    """ "Change my vote" without choosing another answer used to come back without a word."""
    first = reader.post(f"/debates/{SLUG}/vote/", {"option": "unsure"})
    assert "unchanged" not in first["Location"]
    again = reader.post(f"/debates/{SLUG}/vote/", {"option": "unsure", "return_query": "?page=2"})
    assert again["Location"] == f"/debates/{SLUG}/?page=2&unchanged=1#poll"
    notice = "is already your vote. To change it, choose another answer first."
    page = reader.get(again["Location"]).content.decode()
    assert f"“{debate.options.get(key='unsure').label}” {notice}" in page
    changed = reader.post(f"/debates/{SLUG}/vote/", {"option": "useful"})
    assert "unchanged" not in changed["Location"]
    assert Ballot.objects.get().changes == 1
    # The flag says nothing to a reader without a vote or a key.
    assert notice not in Client().get(f"/debates/{SLUG}/?unchanged=1").content.decode()
    reader.post(f"/debates/{SLUG}/vote/withdraw/")
    assert notice not in reader.get(f"/debates/{SLUG}/?unchanged=1").content.decode()


def test_a_poll_of_one_day_gives_its_figures_not_a_chart_of_flat_lines(reader, debate, no_rate_limits):
    reader.post(f"/debates/{SLUG}/vote/", {"option": "unsure"})
    html = reader.get(f"/debates/{SLUG}/results/").content.decode()
    assert "The poll has one day of votes so far: the trend shows from the second day." in html
    assert "<polyline" not in html
    assert "<details open>" in html  # the day's figures, shown
    assert "Nobody has changed their mind yet." in html  # not "0 readers changed their mind"


def test_a_closed_polls_results_are_final_not_so_far(reader, debate, no_rate_limits):
    reader.post(f"/debates/{SLUG}/vote/", {"option": "unsure"})
    Debate.objects.filter(pk=debate.pk).update(poll_closes_at=timezone.now() - datetime.timedelta(minutes=1))
    for path in ("/", f"/debates/{SLUG}/results/"):
        html = reader.get(path).content.decode()
        assert '<h3 id="results-title">Final results</h3>' in html, path
        assert "so far" not in html.split('id="results-title"')[1].split("</div>")[0], path
        assert "Nobody changed their mind." in html, path


def test_results_are_hidden_on_the_page_until_the_reader_votes(anon, debate, no_rate_limits):
    html = anon.get("/").content.decode()
    assert "Results appear" in html
    assert "results-table" not in html


def test_percentages_always_sum_to_100():
    assert sum(shares([1, 1, 1])) == pytest.approx(100)
    assert shares([1, 1, 1]) == [33.4, 33.3, 33.3]
    assert shares([0, 0]) == [0.0, 0.0]
    assert sum(shares([7, 13, 29, 1])) == pytest.approx(100)


def test_per_network_cap_on_new_ballots_answers_429(api, debate, settings):
    settings.RATE_LIMIT_NEW_BALLOTS_NETWORK = "3/3600"
    statuses = [api.post(VOTE, {"option": "useful"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert Ballot.objects.count() == 3


@pytest.mark.parametrize("ballots", [10, 300])
def test_results_query_count_does_not_grow_with_ballots(api, debate, ballots):
    options = list(debate.options.all())
    participants = Participant.objects.bulk_create(Participant(key_hash=f"h{i}") for i in range(ballots))
    Ballot.objects.bulk_create(
        Ballot(debate=debate, participant=p, option=options[i % 3], first_option=options[0])
        for i, p in enumerate(participants)
    )
    with CaptureQueriesContext(connection) as ctx:
        compute_results(debate)
    # options, ballot matrix, commenters by stance, daily tallies
    assert len(app_queries(ctx)) == 4


def _concurrently(calls, workers=8):
    """Run the calls on a pool of threads, each with its own database connection.

    Eight threads interleave requests as eight gunicorn workers would; many
    more only queue on the GIL in this one process and starve SQLite's lock
    holder, which no deployment does."""

    def run(call):
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_voters_are_all_counted_exactly(settings):
    settings.RATE_LIMITS = False
    debate, _ = ensure_clearview_debate()
    keys = [participant_create()[1] for _ in range(200)]
    choices = ["useful", "invasion", "unsure"]

    def vote(i):
        return lambda: (
            Client()
            .post(VOTE, {"option": choices[i % 3]}, content_type="application/json", HTTP_X_PARTICIPANT_KEY=keys[i])
            .status_code
        )

    statuses = _concurrently([vote(i) for i in range(200)])
    assert statuses == [200] * 200
    assert Ballot.objects.count() == 200
    assert counts(debate) == {"useful": 67, "invasion": 67, "unsure": 66}
    assert sum(t.added - t.removed for t in DailyTally.objects.all()) == 200


@pytest.mark.django_db(transaction=True)
def test_new_voters_and_changes_of_mind_at_once_are_all_counted_exactly(settings):
    """New keys (PostgreSQL's one statement: tally row, then debate row) beside
    changes of mind (both tallies, then the debate) on the same rows, from the
    first ballot of the day on: every answer 200, no deadlock, exact counts."""
    settings.RATE_LIMITS = False
    debate, _ = ensure_clearview_debate()
    keys = [participant_create()[1] for _ in range(60)]

    def vote(option, key=None):
        headers = {"HTTP_X_PARTICIPANT_KEY": key} if key else {}
        return lambda: Client().post(VOTE, {"option": option}, content_type="application/json", **headers).status_code

    firsts = _concurrently([vote("useful", key) for key in keys])
    calls = [vote(["useful", "invasion", "unsure"][i % 3]) for i in range(120)]
    calls[1::2] = [vote("invasion", key) for key in keys]  # changes of mind between the new voters
    statuses = _concurrently(calls)
    assert firsts + statuses == [200] * 180
    assert Ballot.objects.count() == Participant.objects.count() == 120
    assert counts(debate) == {"useful": 20, "invasion": 80, "unsure": 20}
    assert sum(t.added - t.removed for t in DailyTally.objects.all()) == 120


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_votes_with_one_key_make_one_ballot(settings):
    settings.RATE_LIMITS = False
    debate, _ = ensure_clearview_debate()
    key = participant_create()[1]
    choices = ["useful", "invasion", "unsure"]

    def vote(i):
        return lambda: (
            Client()
            .post(VOTE, {"option": choices[i % 3]}, content_type="application/json", HTTP_X_PARTICIPANT_KEY=key)
            .status_code
        )

    statuses = _concurrently([vote(i) for i in range(200)])
    assert statuses == [200] * 200
    assert Ballot.objects.count() == 1
    assert sum(counts(debate).values()) == 1
    assert sum(t.added - t.removed for t in DailyTally.objects.all()) == 1
