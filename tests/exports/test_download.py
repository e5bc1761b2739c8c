"""The download URLs: who may fetch what, the file headers, the audit log,
rate limits, and a query count that does not grow with the rows."""

import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Ballot, Debate
from forum.debates.services import participant_create
from forum.moderation.exports import FORMATS, MODERATOR_KINDS, PUBLIC_KINDS
from forum.moderation.models import AuditEntry
from tests.conftest import app_queries

from .conftest import content_of, formula_cells, parse_csv, parse_json, parse_xlsx, xlsx_rows

pytestmark = pytest.mark.django_db


def url(debate, kind, fmt):
    return f"/api/v1/debates/{debate.slug}/exports/{kind}.{fmt}"


def status(client, path, **headers) -> int:
    """The status of a download, read to the end as a browser would (which closes the file)."""
    response = client.get(path, **headers)
    content_of(response)
    return response.status_code


@pytest.fixture
def always_visible(known):
    Debate.objects.filter(pk=known.debate.pk).update(results_visibility=Debate.ResultsVisibility.ALWAYS)
    known.debate.refresh_from_db()
    return known


# ---------------------------------------------------------------- public


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_anyone_downloads_public_exports_when_results_are_public(always_visible, anon, kind, fmt):
    response = anon.get(url(always_visible.debate, kind, fmt))

    assert response.status_code == HTTPStatus.OK
    name = f"{always_visible.debate.slug}-{kind}-{datetime.datetime.now(datetime.UTC).date()}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    data = content_of(response)
    if fmt == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
        assert parse_csv(data)
    elif fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert parse_json(data)["rows"]
    else:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert int(response["Content-Length"]) == len(data)
        assert formula_cells(parse_xlsx(data)) == []
    assert "private" in response["Cache-Control"]
    assert not AuditEntry.objects.filter(action="export.download").exists()


def test_results_download_equals_the_database_count(always_visible, anon):
    rows = parse_csv(content_of(anon.get(url(always_visible.debate, "results", "csv"))))

    assert sum(int(r["votes"]) for r in rows) == Ballot.objects.filter(debate=always_visible.debate).count()
    assert round(sum(float(r["percent"]) for r in rows), 6) == 100


def test_public_exports_are_hidden_until_the_reader_votes_like_the_results_page(known, anon, make_participant):
    assert known.debate.results_visibility == Debate.ResultsVisibility.AFTER_VOTE

    response = anon.get(url(known.debate, "results", "json"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "error": "results_hidden",
        "message": "The results of this poll are shown once you have voted.",
        "fields": {},
    }
    assert status(make_participant(), url(known.debate, "timeseries", "csv")) == HTTPStatus.FORBIDDEN

    # A voter (cookie, as from the results page, or the API header) may download.
    voter_key = _key_for(known.participants[0])
    voter = Client()
    voter.cookies["participant"] = voter_key
    assert status(voter, url(known.debate, "results", "csv")) == HTTPStatus.OK
    assert status(anon, url(known.debate, "results", "csv"), HTTP_X_PARTICIPANT_KEY=voter_key) == HTTPStatus.OK


def _key_for(person):
    # Keys are stored only as hashes: give the participant a fresh one we know.
    from forum.lib.hashing import key_hash

    key = f"known-key-{person.pk}-0123456789abcdef"
    person.key_hash = key_hash(key)
    person.save(update_fields=["key_hash"])
    return key


def test_public_exports_wait_for_the_close_when_the_poll_says_so(known, anon, moderator):
    Debate.objects.filter(pk=known.debate.pk).update(results_visibility=Debate.ResultsVisibility.AFTER_CLOSE)

    response = anon.get(url(known.debate, "timeseries", "xlsx"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"] == "The results of this poll are published when it closes."
    # Moderators see them regardless, and that privilege is on record.
    assert status(moderator, url(known.debate, "timeseries", "xlsx")) == HTTPStatus.OK
    entry = AuditEntry.objects.get(action="export.download")
    assert entry.details == {"kind": "timeseries", "format": "xlsx", "via": "web"}

    Debate.objects.filter(pk=known.debate.pk).update(poll_open=False)
    assert status(anon, url(known.debate, "timeseries", "xlsx")) == HTTPStatus.OK
    assert status(moderator, url(known.debate, "timeseries", "csv")) == HTTPStatus.OK  # public now: not audited
    assert AuditEntry.objects.filter(action="export.download").count() == 1


# ------------------------------------------------------------- moderator


@pytest.mark.parametrize("kind", MODERATOR_KINDS)
def test_anonymous_reader_gets_403_for_moderator_exports(known, anon, kind):
    response = anon.get(url(known.debate, kind, "csv"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "error": "login_required",
        "message": "Log in with a moderator account to download this export.",
        "fields": {},
    }


@pytest.mark.parametrize("kind", MODERATOR_KINDS)
def test_participant_gets_403_for_moderator_exports(known, make_participant, kind):
    voter = Client()
    voter.cookies["participant"] = _key_for(known.participants[0])

    response = voter.get(url(known.debate, kind, "json"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"] == "login_required"


@pytest.mark.parametrize("kind", MODERATOR_KINDS)
def test_logged_in_non_moderator_gets_403(known, plain_user, kind):
    response = plain_user.get(url(known.debate, kind, "xlsx"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"error": "forbidden", "message": "This export is for moderators only.", "fields": {}}


@pytest.mark.parametrize("kind", MODERATOR_KINDS)
def test_moderator_without_two_factor_gets_403(known, moderator_without_2fa, kind):
    response = moderator_without_2fa.get(url(known.debate, kind, "csv"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"] == "two_factor_required"
    assert not AuditEntry.objects.filter(action="export.download").exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", MODERATOR_KINDS)
def test_moderator_with_two_factor_downloads_and_is_audited(known, moderator, kind, fmt):
    response = moderator.get(url(known.debate, kind, fmt))

    assert response.status_code == HTTPStatus.OK
    assert f'filename="{known.debate.slug}-{kind}-' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = content_of(response)
    if fmt == "csv":
        rows = parse_csv(data)
    elif fmt == "json":
        rows = parse_json(data)["rows"]
    else:
        workbook = parse_xlsx(data)
        assert formula_cells(workbook) == []
        rows = xlsx_rows(workbook)
    expected = {"ballots": 7, "comments": 4, "audit": AuditEntry.objects.count()}[kind]
    assert len(rows) == expected
    entry = AuditEntry.objects.filter(action="export.download").get()
    assert entry.actor == moderator.user
    assert entry.actor_label == "mod@example.org"
    assert (entry.target_type, entry.target_id) == ("debate", str(known.debate.pk))
    assert entry.details == {"kind": kind, "format": fmt, "via": "web"}


def test_a_moderator_session_that_skipped_the_code_gets_403(known, moderator):
    # Same account, new session with the password only: the second factor is still owed.
    again = Client()
    again.force_login(moderator.user)

    response = again.get(url(known.debate, "ballots", "csv"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"] == "two_factor_required"


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/debates/nope/exports/results.csv", "No debate with the slug 'nope'."),
        ("/api/v1/debates/{slug}/exports/votes.csv", "There is no export called 'votes'."),
        ("/api/v1/debates/{slug}/exports/results.xml", "Exports come as csv, json, xlsx, not 'xml'."),
        ("/api/v1/debates/{slug}/exports/fo%20o.csv", "There is no export called 'fo o'."),
        ("/api/v1/debates/{slug}/exports/results.csv.bak", "There is no export called 'results.csv'."),
    ],
)
def test_unknown_debate_kind_or_format_is_a_json_404(known, anon, path, message):
    response = anon.get(path.format(slug=known.debate.slug))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"] == "not_found"
    assert response.json()["message"].startswith(message)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "head"])
def test_exports_answer_other_methods_with_a_json_405(always_visible, method):
    """A browser's POST as well: the CSRF check used to answer it with its HTML 403."""
    response = getattr(Client(enforce_csrf_checks=True), method)(url(always_visible.debate, "results", "csv"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "GET"
    if method != "head":
        assert response.json()["error"] == "method_not_allowed"


def test_downloads_are_rate_limited_per_network(always_visible, settings):
    settings.RATE_LIMIT_EXPORTS = "2/60"
    office = Client(REMOTE_ADDR="198.51.100.7")
    colleague = Client(REMOTE_ADDR="198.51.100.99")  # same /24
    elsewhere = Client(REMOTE_ADDR="203.0.113.5")

    assert status(office, url(always_visible.debate, "results", "csv")) == HTTPStatus.OK
    assert status(colleague, url(always_visible.debate, "results", "json")) == HTTPStatus.OK
    response = office.get(url(always_visible.debate, "timeseries", "csv"))
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.json()["error"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 61
    assert status(elsewhere, url(always_visible.debate, "results", "csv")) == HTTPStatus.OK


# ---------------------------------------------------------- query counts


def _add_ballots(debate, n):
    options = list(debate.options.all())
    people = [participant_create()[0] for _ in range(n)]
    Ballot.objects.bulk_create(
        Ballot(debate=debate, participant=p, option=options[i % 3], first_option=options[i % 3])
        for i, p in enumerate(people)
    )


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        content_of(response)
    assert response.status_code == HTTPStatus.OK
    return len(app_queries(ctx))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_public_export_queries_do_not_grow_with_the_rows(always_visible, anon, no_rate_limits, kind, fmt):
    path = url(always_visible.debate, kind, fmt)
    status(anon, path)  # the network pepper is created once per period

    few = _queries(anon, path)
    _add_ballots(always_visible.debate, 60)
    many = _queries(anon, path)
    # 1. the debate, 2. its options (prefetched), 3. the vote matrix (results) or
    # the daily tallies (timeseries). No participant lookup without a key, and
    # nothing per row.
    assert few == many == 3


def test_ballots_export_queries_do_not_grow_with_the_rows(known, moderator, no_rate_limits):
    path = url(known.debate, "ballots", "csv")
    few = _queries(moderator, path)
    _add_ballots(known.debate, 60)
    many = _queries(moderator, path)

    assert few == many


# ------------------------------------------------------------ discovery


def test_results_page_links_the_public_exports(always_visible, anon):
    page = anon.get(f"/debates/{always_visible.debate.slug}/results/").content.decode()

    for kind in PUBLIC_KINDS:
        for fmt in FORMATS:
            # A plain link: the file comes as an attachment, and a refusal (the rate limit) shows its
            # message, where the `download` attribute turned it into a silently cancelled download.
            assert f'href="{url(always_visible.debate, kind, fmt)}">' in page
    for kind in MODERATOR_KINDS:
        assert f"/exports/{kind}." not in page


def test_the_openapi_document_describes_the_exports(anon):
    document = anon.get("/api/v1/openapi.json").json()

    operation = document["paths"]["/api/v1/debates/{slug}/exports/{kind}.{fmt}"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["kind"]["enum"] == ["results", "timeseries", "ballots", "comments", "audit"]
    assert parameters["fmt"]["enum"] == ["csv", "json", "xlsx"]
    assert set(operation["responses"]) >= {"200", "403", "404", "429"}
