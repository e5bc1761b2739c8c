"""Prepared queries give what their QuerySet gives, with the values of each call."""

import datetime
import itertools
from http import HTTPStatus

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from forum.debates import reading
from forum.debates.models import Ban, Comment, Debate, Participant, PollOption
from forum.lib import prepared
from forum.moderation import queue
from tests.conftest import next_request, second_postgresql_connection


def test_a_prepared_select_gives_the_querysets_objects_for_each_value(debate):
    options = prepared.Select(lambda debate_id: PollOption.objects.filter(debate_id=debate_id), [-1])
    expected = list(PollOption.objects.filter(debate=debate))
    assert [(o.pk, o.key, o.label, o.position) for o in options.objects(debate.pk)] == [
        (o.pk, o.key, o.label, o.position) for o in expected
    ]
    assert options.objects(debate.pk + 1000) == []


def test_a_prepared_select_converts_columns_as_the_orm_does(debate):
    created = prepared.Select(lambda pk: Debate.objects.filter(pk=pk).values_list("created_at", "comments_open"), [-1])
    assert created.rows(debate.pk) == [(debate.created_at, True)]


def test_a_prepared_select_takes_dates_and_times(debate):
    now = timezone.now()
    Ban.objects.create(network_hash="a" * 32, reason="spam", expires_at=now + datetime.timedelta(hours=1))
    banned = prepared.Select(
        lambda network_hash, when: Ban.objects.active(when).filter(network_hash=network_hash).values_list("reason"),
        ["\x00", datetime.datetime(1901, 2, 3, tzinfo=datetime.UTC)],
    )
    assert banned.rows("a" * 32, now) == [("spam",)]
    assert banned.rows("a" * 32, now + datetime.timedelta(hours=2)) == []
    assert banned.rows("b" * 32, now) == []


def test_a_select_over_ids_gives_the_querysets_rows_for_any_number_of_ids(debate):
    other = Debate.objects.create(slug="other", title="Other", question="?", source_date=datetime.date(2026, 11, 1))
    for d in (debate, other):
        PollOption.objects.create(debate=d, key="extra", label=f"Extra of {d.slug}")
    by_debate = prepared.SelectIn(lambda ids: PollOption.objects.filter(debate_id__in=ids).order_by("pk"))
    for ids in ([debate.pk], [other.pk], [debate.pk, other.pk], [other.pk, debate.pk, other.pk], [other.pk + 1]):
        expected = list(PollOption.objects.filter(debate_id__in=ids).order_by("pk").values_list("pk", "label"))
        assert [(o.pk, o.label) for o in by_debate.objects(ids)] == expected
    assert sorted(by_debate._selects) == [1, 2]  # compiled once per number of distinct ids
    assert by_debate.objects([]) == []
    assert by_debate.rows(set()) == []


def test_a_select_over_ids_takes_other_values_after_them(debate):
    now = timezone.now()
    participants = [Participant.objects.create(key_hash=f"{i}" * 64) for i in range(3)]
    for p, hours in zip(participants, (1, 3, None), strict=True):
        Ban.objects.create(participant=p, reason="spam", expires_at=hours and now + datetime.timedelta(hours=hours))
    banned = prepared.SelectIn(
        lambda ids, when: Ban.objects.active(when).filter(participant_id__in=ids).values_list("participant_id"),
        [datetime.datetime(1901, 2, 3, tzinfo=datetime.UTC)],
    )
    ids = [p.pk for p in participants]
    assert sorted(banned.rows(ids, now)) == [(pk,) for pk in ids]
    assert sorted(banned.rows(ids, now + datetime.timedelta(hours=2))) == [(ids[1],), (ids[2],)]
    assert banned.rows(ids[:1], now + datetime.timedelta(hours=2)) == []


def test_a_prepared_update_sets_the_values_of_the_call_and_keeps_constants(debate):
    bump = prepared.Update(
        lambda pk, n: (Debate.objects.filter(pk=pk), {"version": F("version") + n, "comments_open": False}), [-1, -2]
    )
    before = Debate.objects.get(pk=debate.pk).version
    assert bump(debate.pk, 5) == 1
    assert bump(debate.pk + 1000, 5) == 0
    after = Debate.objects.get(pk=debate.pk)
    assert (after.version, after.comments_open) == (before + 5, False)


def test_a_placeholder_the_sql_does_not_use_is_refused(debate):
    unused = prepared.Select(lambda pk, other: Debate.objects.filter(pk=pk), [-1, -2])
    with pytest.raises(ValueError, match="does not use"):
        unused.rows(debate.pk, 3)


def test_placeholders_must_differ():
    with pytest.raises(ValueError, match="distinct"):
        prepared.Select(lambda a, b: Debate.objects.filter(pk=a, version=b), [-1, -1])


def test_a_prepared_insert_saves_the_row_and_gives_it_its_id(db):
    now = timezone.now()
    insert = prepared.Insert(
        lambda key_hash, created, today: Participant(key_hash=key_hash, created_at=created, last_seen_on=today),
        ["\x00", datetime.datetime(1901, 2, 3, tzinfo=datetime.UTC), datetime.date(1901, 2, 3)],
    )
    made = insert.create("f" * 64, now, now.date())
    stored = Participant.objects.get(pk=made.pk)
    assert (stored.key_hash, stored.created_at, stored.last_seen_on) == ("f" * 64, now, now.date())
    assert insert.create("e" * 64, now, now.date()).pk == made.pk + 1


def test_a_prepared_insert_refuses_a_value_computed_at_save_time_that_is_not_a_placeholder(db):
    insert = prepared.Insert(lambda key_hash: Participant(key_hash=key_hash), ["\x00"])
    with pytest.raises(ValueError, match="created_at is computed at save time"):
        insert.create("f" * 64)


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
VOTE = "/api/v1/debates/clearview-ai-cnil-fine/vote"


def prepared_statements() -> dict[str, int]:
    """This connection's prepared statements: their text and how often each ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@on_postgresql
def test_hot_statements_are_prepared_once_per_connection_and_nothing_else_is(api, debate, no_rate_limits):
    assert api.post(VOTE, {"option": "useful"}).status_code == HTTPStatus.OK
    first = prepared_statements()
    # The vote's three statements, and only they: the ORM's queries of the request are not prepared.
    assert len(first) == 3
    [vote] = [sql for sql in first if "INSERT INTO debates_participant" in sql]  # the one-statement vote
    assert any(sql.startswith('SELECT "debates_debate"."id"') for sql in first)  # the debate's read
    assert any(sql.startswith('SELECT "debates_polloption"."id"') for sql in first)  # its options
    assert api.post(VOTE, {"option": "invasion"}).status_code == HTTPStatus.OK
    second = prepared_statements()
    assert second.keys() == first.keys()  # run again, not prepared again
    assert second[vote] == first[vote] + 1
    assert Participant.objects.count() == 2


def vote_is_prepared() -> bool:
    return any("INSERT INTO debates_participant" in sql for sql in prepared_statements())


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_statements_are_prepared_again_after_rollbacks(api, debate, no_rate_limits):
    """psycopg forgets its prepared statements on a rollback; the next run prepares them again."""
    assert api.post(VOTE, {"option": "useful"}).status_code == HTTPStatus.OK
    with pytest.raises(IntegrityError), transaction.atomic():  # a whole transaction's ROLLBACK
        PollOption.objects.create(debate=debate, key="useful", label="twice", position=9)
    assert api.post(VOTE, {"option": "unsure"}).status_code == HTTPStatus.OK
    assert vote_is_prepared()
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():  # a savepoint's
            PollOption.objects.create(debate=debate, key="useful", label="twice", position=9)
        assert api.post(VOTE, {"option": "invasion"}).status_code == HTTPStatus.OK
        assert vote_is_prepared()
    assert debate.ballots.count() == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_the_server_forgot_fails_one_request_and_the_next_connects_afresh(debate):
    """As after a pooler's DISCARD ALL: psycopg still believes the statements prepared."""
    assert reading.debate_read().pk == debate.pk
    connection.connection.pgconn.exec_(b"DEALLOCATE ALL")  # behind psycopg's back
    with pytest.raises(OperationalError):  # the 503 of an outage, not a 500
        reading.debate_read()
    next_request()
    assert reading.debate_read().pk == debate.pk
    assert reading.debate_read().pk == debate.pk


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_changes_a_column_read_fails_one_request_and_the_next_reads_anew(debate):
    """PostgreSQL refuses a prepared statement whose result type changed ("cached
    plan must not change result type"), as when a migration runs beside the old code."""
    assert reading.debate_read().title == debate.title
    with second_postgresql_connection() as other:
        other.execute("ALTER TABLE debates_debate ALTER COLUMN title TYPE varchar(201)")
        try:
            with pytest.raises(OperationalError):  # the 503 of an outage, not a 500
                reading.debate_read()
            next_request()
            assert reading.debate_read().title == debate.title
        finally:
            connection.close()  # lets go of the table for the ALTER back
            other.execute("ALTER TABLE debates_debate ALTER COLUMN title TYPE varchar(200)")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_preparing_turned_off_in_options_leaves_every_statement_unprepared(api, debate, no_rate_limits):
    connection.close()
    connection.settings_dict["OPTIONS"]["prepare_threshold"] = None  # as for a pooler without prepared statements
    try:
        assert api.post(VOTE, {"option": "useful"}).status_code == HTTPStatus.OK
        assert prepared_statements() == {}
        assert debate.ballots.count() == 1
    finally:
        del connection.settings_dict["OPTIONS"]["prepare_threshold"]
        connection.close()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_comment_sent_on_a_stale_statement_comes_back_with_its_text_and_goes_through_on_resending(
    anon, debate, no_rate_limits
):
    url = f"/debates/{debate.slug}/comments/"
    first = {"body": "Sent before.", "author_name": "", "website": "", "started": "", "idempotency_key": ""}
    assert anon.post(url, first).status_code == HTTPStatus.FOUND  # its statements prepared
    connection.connection.pgconn.exec_(b"DEALLOCATE ALL")
    sent = {**first, "body": "Sent during a migration."}
    refused = anon.post(url, sent)
    assert refused.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Sent during a migration." in refused.content.decode()
    next_request()  # Django's test client leaves out the reconnect between requests
    assert anon.post(url, sent).status_code == HTTPStatus.FOUND
    assert sorted(debate.comments.values_list("body", flat=True)) == ["Sent before.", "Sent during a migration."]


@on_postgresql
def test_the_many_shapes_of_page_and_queue_reads_are_not_prepared_on_the_server(reader, debate, settings):
    """Compiled once in the process, but not prepared: a connection keeps a bounded
    number of prepared statements, and these would crowd the hot ones out."""
    settings.COMMENTS_PER_PAGE = 1
    for i in range(3):
        Comment.objects.create(debate=debate, body=f"Comment {i}", body_html=f"<p>Comment {i}</p>")
    for sort, page in itertools.product(("newest", "oldest", "top"), (1, 2, 3)):
        assert reader.get(f"/?sort={sort}&page={page}").status_code == HTTPStatus.OK
    queue.attach_context(list(queue.with_context(Comment.objects.all())))
    prepared = prepared_statements()
    assert prepared  # the debate's read and its options
    assert not [sql for sql in prepared if "debates_comment" in sql]
