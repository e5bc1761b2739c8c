"""Poll result exports: results, timeseries, ballots, comments and the audit log,
as CSV, JSON or XLSX. The file layouts are documented in ``docs/exports.md``.

The pretix pattern: an exporter builds an ``Export`` (metadata, a description
of each column and an iterator of rows, header first) and a writer renders it.
The download view (``api_exports``) and ``manage.py export_poll_results`` call
the same two steps, so a file reads the same wherever it comes from.

Memory stays flat however many rows there are: rows come from ``values_list``
through ``.iterator(chunk_size=...)`` (ballots: a chunked cursor, see
``_ballot_rows``); CSV and JSON are written a batch of rows at a time; XLSX is
written by openpyxl in write-only mode, whose rows go to a temporary file as
inline strings (no shared-strings table in memory).

Cells a spreadsheet would run as a formula are neutralised in CSV and XLSX by
``forum.lib.csvsafe``; JSON carries the exact text.
"""

import csv
import datetime
import hashlib
import io
import json
import operator
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import connections
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Q
from django.db.models.functions import Cast, Trunc
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from forum.debates.models import Ballot, Comment, DailyTally, Debate
from forum.debates.results import count_ballots, daily_totals, shares
from forum.debates.services import Refused
from forum.lib.csvsafe import neutralise, xlsx_text

from .models import AuditEntry
from .permissions import Access

PUBLIC_KINDS = ("results", "timeseries")
MODERATOR_KINDS = ("ballots", "comments", "audit")
KINDS = PUBLIC_KINDS + MODERATOR_KINDS
FORMATS = ("csv", "json", "xlsx")

# One version per kind. Bump it when a column is renamed, removed, retyped or
# changes meaning (units, rounding, time zone, which rows are included); adding
# a column at the end or a metadata field does not bump it. See docs/exports.md.
SCHEMA_VERSIONS = {"results": 1, "timeseries": 1, "ballots": 1, "comments": 1, "audit": 1}

TITLES = {
    "results": "Votes and share per poll option",
    "timeseries": "Votes per poll option per day (UTC)",
    "ballots": "Current ballots, one row each, without identities",
    "comments": "Comments with their moderation status",
    "audit": "The moderation audit log",
}

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8; header=present",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

CAVEAT = "A self-selected poll of readers who chose to answer, not a representative survey."
PERCENT_DECIMALS = 1
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, boolean, date, datetime, list or object
    description: str
    unit: str = ""


@dataclass
class Export:
    """One export, ready for a writer: metadata, columns, and rows on demand."""

    kind: str
    debate: Debate
    generated_at: datetime.datetime
    metadata: dict
    columns: list[Column]
    data: Iterable[tuple]
    # Known before writing when cheap (small kinds) or counted for a progress bar.
    expected_rows: int | None = None
    row_count: int = 0
    options: list[dict] = field(default_factory=list)
    # Optionally, the same rows as ready CSV cells (text, or integers), for a
    # writer that would otherwise convert a million cells one call at a time.
    csv_data: Iterable[tuple] | None = None

    def rows(self, *, csv_cells: bool = False) -> Iterator[tuple]:
        """The header row, then every data row (as CSV cells if asked and
        available); counts the data rows as they go."""
        self.row_count = 0
        yield tuple(c.name for c in self.columns)
        for row in self.csv_data if csv_cells else self.data:
            self.row_count += 1
            yield row

    def filename(self, fmt: str) -> str:
        return f"{self.debate.slug}-{self.kind}-{self.generated_at:%Y-%m-%d}.{fmt}"


# ------------------------------------------------------------------ access


def export_access(*, kind: str, debate: Debate, moderator: Access, results_visible: bool) -> None:
    """Refuse an export the asker may not download; return quietly otherwise.

    Moderator kinds need a moderator whose session passed two-factor. Public
    kinds follow the debate's results visibility, exactly as the results page
    and the API do (a moderator may always see them): an export must not show
    results the poll is hiding until one votes or until it closes.
    """
    if kind in MODERATOR_KINDS:
        if moderator == Access.OK:
            return
        code, message = {
            Access.LOGIN: ("login_required", "Log in with a moderator account to download this export."),
            Access.FORBIDDEN: ("forbidden", "This export is for moderators only."),
            Access.SETUP_2FA: ("two_factor_required", "Set up two-factor authentication to download this export."),
            Access.CODE_2FA: ("two_factor_required", "Confirm your two-factor code to download this export."),
        }[moderator]
        raise Refused(code, message, status=403)
    if results_visible or moderator == Access.OK:
        return
    if debate.results_visibility == Debate.ResultsVisibility.AFTER_CLOSE:
        message = "The results of this poll are published when it closes."
    else:
        message = "The results of this poll are shown once you have voted."
    raise Refused("results_hidden", message, status=403)


# --------------------------------------------------------------- exporters


def _options(debate: Debate) -> list:
    return list(debate.options.all())


def _metadata(debate: Debate, kind: str, now: datetime.datetime, **extra) -> dict:
    closes = debate.poll_closes_at
    return {
        "schema_version": SCHEMA_VERSIONS[kind],
        "kind": kind,
        "title": TITLES[kind],
        "scope": "site" if kind == "audit" else "debate",
        "debate": debate.slug,
        "debate_title": debate.title,
        "question": debate.question,
        "source_name": debate.source_name,
        "source_title": debate.source_title,
        "source_url": debate.source_url,
        "source_date": debate.source_date,
        # The poll opens with the debate; the close time is known only when scheduled.
        "poll_opened_at": debate.created_at,
        "poll_closes_at": closes,
        "poll_closed_at": closes if closes is not None and closes <= now else None,
        "poll_open": debate.is_poll_open(now),
        "generated_at": now,
        "time_zone": "UTC",
        **extra,
    }


def _option_list(options) -> list[dict]:
    return [{"key": o.key, "label": o.label, "position": o.position} for o in options]


RESULTS_COLUMNS = [
    Column("key", "string", "The option's stable key."),
    Column("label", "string", "The option as readers saw it."),
    Column("votes", "integer", "Current ballots for the option.", "ballots"),
    Column(
        "percent",
        "number",
        "Share of all current ballots, one decimal, largest-remainder rounding so the column sums to exactly 100 "
        "(0 for every option while nobody has voted).",
        "percent",
    ),
]


def export_results(debate: Debate, now: datetime.datetime) -> Export:
    """Votes and share per option, plus totals, in two queries (options, one aggregate)."""
    options = _options(debate)
    counts, moves = count_ballots(debate, options)
    changed = sum(n for _, _, n in moves)
    percents = shares(counts, PERCENT_DECIMALS)
    rows = [(o.key, o.label, c, p) for o, c, p in zip(options, counts, percents, strict=True)]
    metadata = _metadata(
        debate,
        "results",
        now,
        total_votes=sum(counts),
        changed_minds=changed,
        percent_decimals=PERCENT_DECIMALS,
        percent_rounding="largest remainder: the percentages sum to exactly 100",
        caveat=CAVEAT,
    )
    return Export("results", debate, now, metadata, RESULTS_COLUMNS, rows, len(rows), options=_option_list(options))


TIMESERIES_COLUMNS = [
    Column("day", "date", "The day, in UTC. Every day from the first vote to the last change, none skipped."),
    Column("key", "string", "The option's stable key."),
    Column("label", "string", "The option as readers saw it."),
    Column("new_votes", "integer", "Ballots cast for the option, or switched to it, that day.", "ballots"),
    Column("removed_votes", "integer", "Ballots switched away from the option, or withdrawn, that day.", "ballots"),
    Column(
        "cumulative_votes",
        "integer",
        "Ballots for the option at the end of the day: the previous day's figure plus new_votes minus removed_votes.",
        "ballots",
    ),
    Column(
        "cumulative_share",
        "number",
        "cumulative_votes as a share of all ballots at the end of the day, one decimal, largest-remainder "
        "rounding so each day sums to exactly 100 (0 on a day with no ballots).",
        "percent",
    ),
]


def export_timeseries(debate: Debate, now: datetime.datetime) -> Export:
    """One row per UTC day per option, from the daily tallies (aggregates only)."""
    options = _options(debate)
    tallies = DailyTally.objects.filter(option__debate=debate).values_list("day", "option_id", "added", "removed")
    rows, days, counts = [], [], [0] * len(options)
    for day, moves, counts in daily_totals(options, tallies):
        days.append(day)
        for o, count, share in zip(options, counts, shares(counts, PERCENT_DECIMALS), strict=True):
            added, removed = moves.get(o.pk, (0, 0))
            rows.append((day, o.key, o.label, added, removed, count, share))
    metadata = _metadata(
        debate,
        "timeseries",
        now,
        total_votes=sum(counts),
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        percent_decimals=PERCENT_DECIMALS,
        percent_rounding="largest remainder: each day's shares sum to exactly 100",
        caveat=CAVEAT,
    )
    return Export(
        "timeseries", debate, now, metadata, TIMESERIES_COLUMNS, rows, len(rows), options=_option_list(options)
    )


BALLOTS_COLUMNS = [
    Column(
        "ballot_id",
        "string",
        "A random id made for this file only (16 hex digits): the same ballot has a different id in every export, "
        "and no id leads back to a participant.",
    ),
    Column("option", "string", "Key of the option the ballot is for now."),
    Column("first_option", "string", "Key of the option first chosen."),
    Column("changes", "integer", "How many times the participant changed their vote.", "changes"),
    Column("cast_hour", "datetime", "When the ballot was first cast, rounded down to the hour, UTC."),
    Column("has_commented", "boolean", "Whether the participant has a published comment in this debate now."),
]

# A keyed permutation of the primary keys, (a * id + b) mod p with p prime, puts
# the rows in an order that differs in every export, so that row positions cannot
# link two exports either. Ids stay below p (2**31 - 1); a * id fits in 64 bits.
_SHUFFLE_PRIME = 2**31 - 1


class _Hours(dict):
    """Ballot times rounded down to the hour, keyed by what the database returns
    for the hour (a text prefix on SQLite, a truncated datetime elsewhere) and
    computed once per hour instead of once per row: a poll has few hours and a
    million ballots, and building a datetime per row was most of the export."""

    def __missing__(self, raw):
        if isinstance(raw, str):  # SQLite: "YYYY-MM-DD HH" of naive UTC text
            value = datetime.datetime.fromisoformat(raw + ":00:00").replace(tzinfo=datetime.UTC)
        else:
            value = _utc(raw.replace(minute=0, second=0, microsecond=0))
        self[raw] = value
        return value


class _HourTexts(dict):
    """The CSV text of each hour, computed once per hour (see ``_Hours``)."""

    def __init__(self, hours: _Hours):
        super().__init__()
        self.hours = hours

    def __missing__(self, raw):
        self[raw] = text = _iso_datetime(self.hours[raw])
        return text


def _ballot_rows(debate: Debate):
    """The raw ballot rows in a keyed random order, a chunk at a time, and a function
    giving each row's hour key.

    A plain (server-side where the database has them) cursor instead of
    ``values_list``: Django's per-row converters, a datetime parsed for every
    ballot, cost more than the rest of the export together. ``has_commented``
    is ``participant_id IN (the debate's commenters)``: one uncorrelated subquery
    that both SQLite and PostgreSQL run once and probe by hash or index, where a
    correlated EXISTS was planned by SQLite as a scan of the debate's published
    comments for every ballot.
    """
    a, b = secrets.randbelow(_SHUFFLE_PRIME - 2) + 1, secrets.randbelow(_SHUFFLE_PRIME)
    # Without the NULL of a comment whose participant row was deleted: ``x IN (…, NULL)`` is NULL, not false.
    commenters = Comment.objects.filter(
        debate=debate, status=Comment.Status.PUBLISHED, participant__isnull=False
    ).values("participant_id")
    connection = connections[Ballot.objects.db]
    if connection.vendor == "sqlite":
        # Times are stored as naive UTC text: the hour is its first 13 characters.
        # The cast keeps the sqlite3 module from parsing a datetime per row.
        hour, hour_key = Cast("cast_at", CharField()), operator.itemgetter(slice(0, 13))
    else:
        hour, hour_key = Trunc("cast_at", "hour", tzinfo=datetime.UTC), None
    qs = (
        Ballot.objects.filter(debate=debate)
        .annotate(
            has_commented=ExpressionWrapper(Q(participant_id__in=commenters), output_field=BooleanField()),
            hour=hour,
            shuffle=(F("id") * a + b) % _SHUFFLE_PRIME,
        )
        .order_by("shuffle")
        .values_list("id", "option_id", "first_option_id", "changes", "hour", "has_commented")
    )
    sql, params = qs.query.sql_with_params()

    def chunks():
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(CHUNK_SIZE):
                yield batch

    return chunks(), hour_key


def export_ballots(debate: Debate, now: datetime.datetime) -> Export:
    """Every current ballot, without keys, hashes or network data, streamed in chunks.

    Two row sources share one query: typed rows for JSON and XLSX, and rows of
    ready CSV cells (option keys neutralised and hours formatted once each) for
    CSV, the format of million-ballot exports.
    """
    options = _options(debate)
    keys = {o.pk: o.key for o in options}
    # Option keys are slugs chosen by whoever sets up the poll; a slug may start with "-".
    csv_keys = {pk: neutralise(key) for pk, key in keys.items()}
    secret = secrets.token_bytes(32)  # never stored: the ids cannot be recomputed later
    # Copying a keyed BLAKE2b state is half the cost of keying a new one per row.
    keyed = hashlib.blake2b(key=secret, digest_size=8)
    hours = _Hours()

    def rows(option_keys: dict, hour_values, as_bool):
        """One pass over the ballots; the typed and the CSV rows differ only in these lookups."""
        chunks, hour_key = _ballot_rows(debate)
        for batch in chunks:
            for pk, option_id, first_id, changes, hour, has_commented in batch:
                h = keyed.copy()
                h.update(str(pk).encode())
                yield (
                    h.hexdigest(),
                    option_keys[option_id],
                    option_keys[first_id],
                    changes,
                    hour_values[hour_key(hour) if hour_key else hour],
                    as_bool(has_commented),
                )

    booleans = {False: "false", True: "true"}  # also 0 and 1, as SQLite returns them

    metadata = _metadata(debate, "ballots", now, row_order="random, different in every export")
    return Export(
        "ballots",
        debate,
        now,
        metadata,
        BALLOTS_COLUMNS,
        rows(keys, hours, bool),
        options=_option_list(options),
        csv_data=rows(csv_keys, _HourTexts(hours), booleans.__getitem__),
    )


COMMENTS_COLUMNS = [
    Column("id", "integer", "The comment's id, as in the page address and the API."),
    Column("parent_id", "integer", "The id of the comment it hangs under; empty for a top-level comment."),
    Column("stance", "string", "Key of the option the author had voted for when posting; empty if none."),
    Column("status", "string", "published, pending, rejected, spam, or deleted (a text-less placeholder)."),
    Column("reasons", "list", "Reason codes from screening or moderation; '; '-separated in CSV and XLSX."),
    Column("created_at", "datetime", "When the comment was posted, UTC, to the second."),
    Column("edited_at", "datetime", "When the author last edited it, UTC, to the second; empty if never."),
    Column("likes", "integer", "Likes now.", "likes"),
    Column("reports", "integer", "Reports now.", "reports"),
    Column("body", "string", "The text as written (Markdown source)."),
    Column(
        "reply_to_id",
        "integer",
        "For a reply to a third-level comment, which it hangs beside (under parent_id): that comment's id.",
    ),
]


def export_comments(debate: Debate, now: datetime.datetime) -> Export:
    """Every comment of the debate in id order, streamed in chunks. No author data."""
    options = _options(debate)
    keys = {o.pk: o.key for o in options}
    qs = (
        Comment.objects.filter(debate=debate)
        .order_by("id")
        .values_list(
            "id",
            "parent_id",
            "stance_id",
            "status",
            "reasons",
            "created_at",
            "edited_at",
            "like_count",
            "report_count",
            "body",
            "reply_to_id",
        )
    )

    def rows():
        for pk, parent_id, stance_id, status, reasons, *rest in qs.iterator(chunk_size=CHUNK_SIZE):
            yield (pk, parent_id, keys.get(stance_id), status, list(reasons or []), *rest)

    metadata = _metadata(debate, "comments", now)
    return Export("comments", debate, now, metadata, COMMENTS_COLUMNS, rows(), options=_option_list(options))


AUDIT_COLUMNS = [
    Column("id", "integer", "The entry's id; entries are never edited."),
    Column("created_at", "datetime", "When it happened, UTC, to the second."),
    Column("actor", "string", "The moderator's e-mail address at the time; empty for the system."),
    Column("action", "string", "What was done, e.g. comment.reject or security.login_failed."),
    Column("target_type", "string", "The kind of thing acted on (comment, participant, ban, debate …)."),
    Column("target_id", "string", "Its id."),
    Column("reason", "string", "The reason given."),
    Column("status_before", "string", "The target's status before the action."),
    Column("status_after", "string", "The target's status after the action."),
    Column("details", "object", "Further details; JSON text in CSV and XLSX."),
]


def export_audit(debate: Debate, now: datetime.datetime) -> Export:
    """The whole audit log, oldest first, streamed in chunks. Network hashes stay out."""
    qs = AuditEntry.objects.order_by("created_at", "id").values_list(
        "id",
        "created_at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "reason",
        "status_before",
        "status_after",
        "details",
    )
    metadata = _metadata(debate, "audit", now)
    return Export("audit", debate, now, metadata, AUDIT_COLUMNS, qs.iterator(chunk_size=CHUNK_SIZE))


EXPORTERS: dict[str, Callable[[Debate, datetime.datetime], Export]] = {
    "results": export_results,
    "timeseries": export_timeseries,
    "ballots": export_ballots,
    "comments": export_comments,
    "audit": export_audit,
}


def build_export(debate: Debate, kind: str, *, now: datetime.datetime | None = None) -> Export:
    """The export of ``kind`` for ``debate``; its rows are read when a writer asks."""
    if kind not in EXPORTERS:
        raise Refused("not_found", f"There is no export called {kind!r}. Try one of: {', '.join(KINDS)}.", 404)
    return EXPORTERS[kind](debate, (now or timezone.now()).replace(microsecond=0))


def count_rows(export: Export) -> int:
    """How many data rows the export will have, for a progress bar (one COUNT query)."""
    if export.expected_rows is not None:
        return export.expected_rows
    if export.kind == "ballots":
        return Ballot.objects.filter(debate=export.debate).count()
    if export.kind == "comments":
        return Comment.objects.filter(debate=export.debate).count()
    return AuditEntry.objects.count()


# ----------------------------------------------------------------- writers

_BATCH_CHARS = 64 * 1024
_BATCH_ROWS = 500


def _utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is datetime.UTC:
        return value
    if timezone.is_naive(value):
        return value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


def _iso_datetime(value: datetime.datetime) -> str:
    """YYYY-MM-DDTHH:MM:SSZ: UTC, whole seconds (fractions dropped)."""
    return f"{_utc(value):%Y-%m-%dT%H:%M:%S}Z"


def _iso(value):
    if isinstance(value, datetime.datetime):
        return _iso_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _joined(value: list) -> str:
    return "; ".join(str(v) for v in value)


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _none_or(convert):
    return lambda value: None if value is None else convert(value)


# One converter per column type, chosen once per file rather than once per cell:
# a million-row export spends its time here.
_CSV = {
    "string": lambda v: "" if v is None else neutralise(v),
    "integer": lambda v: "" if v is None else str(v),
    "number": lambda v: "" if v is None else str(v),
    "boolean": lambda v: "" if v is None else ("true" if v else "false"),
    "date": lambda v: "" if v is None else v.isoformat(),
    "datetime": lambda v: "" if v is None else _iso_datetime(v),
    "list": lambda v: "" if not v else neutralise(_joined(v)),
    "object": lambda v: "" if v is None else neutralise(_json_text(v)),
}
_JSON = {
    "date": _none_or(datetime.date.isoformat),
    "datetime": _none_or(_iso_datetime),
    "list": lambda v: list(v or []),
}
_XLSX = {
    "string": lambda v: None if v is None or v == "" else xlsx_text(v),
    # Excel has no time zones: every time is UTC, to the whole second as in CSV and JSON.
    "datetime": _none_or(lambda v: _utc(v).replace(tzinfo=None, microsecond=0)),
    "list": lambda v: xlsx_text(_joined(v)) if v else None,
    "object": _none_or(lambda v: xlsx_text(_json_text(v))),
}


def _converters(export: Export, table: dict) -> list:
    return [table.get(c.type, _identity) for c in export.columns]


def _identity(value):
    return value


def write_csv(export: Export) -> Iterator[str]:
    """RFC 4180 CSV text (CRLF line ends, header row), in batches of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    convert = _converters(export, _CSV)
    ready = export.csv_data is not None
    rows = export.rows(csv_cells=ready)
    writer.writerow(next(rows))
    if not ready:
        rows = ([f(v) for f, v in zip(convert, row, strict=True)] for row in rows)
    # writerows over a slice keeps the loop over rows in C.
    while batch := list(islice(rows, _BATCH_ROWS)):
        writer.writerows(batch)
        if buffer.tell() >= _BATCH_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_iso)


def _columns_out(export: Export) -> list[dict]:
    return [{"name": c.name, "type": c.type, "unit": c.unit, "description": c.description} for c in export.columns]


def write_json(export: Export) -> Iterator[str]:
    """One JSON document: metadata, columns, rows as objects, and the row count last."""
    metadata = {**export.metadata, "options": export.options}
    head = f'{{"metadata": {_dumps(metadata)},\n"columns": {_dumps(_columns_out(export))},\n"rows": ['
    parts = [head]
    size = len(head)
    rows = export.rows()
    header = next(rows)
    convert = _converters(export, _JSON)
    separator = "\n"
    for row in rows:
        part = separator + _encode({k: f(v) for k, f, v in zip(header, convert, row, strict=True)})
        separator = ",\n"
        parts.append(part)
        size += len(part)
        if size >= _BATCH_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    parts.append(f'\n],\n"row_count": {export.row_count}}}\n')
    yield "".join(parts)


_XLSX_WIDTHS = {"datetime": 20, "date": 12, "integer": 10, "number": 10, "boolean": 14, "list": 24, "object": 40}
_XLSX_WIDE = {"body": 80, "label": 40, "reason": 40, "question": 60}


def _xlsx_value(value):
    """A metadata value as a typed XLSX cell (the data rows use the per-column converters)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime):
        return _XLSX["datetime"](value)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, list):
        return _XLSX["list"](value)
    if isinstance(value, dict):
        return _XLSX["object"](value)
    return xlsx_text(str(value))


def write_xlsx(export: Export, fileobj) -> None:
    """A workbook with a "Data" sheet (header row frozen, filters on) and an "About"
    sheet (metadata, options, what each column means, the row count)."""
    wb = Workbook(write_only=True)
    data = wb.create_sheet("Data")
    about = wb.create_sheet("About")
    bold = Font(bold=True)

    def heading(sheet, *titles):
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=xlsx_text(title))
            cell.font = bold
            cells.append(cell)
        return cells

    for i, column in enumerate(export.columns, start=1):
        width = _XLSX_WIDE.get(column.name) or _XLSX_WIDTHS.get(column.type, 16)
        data.column_dimensions[get_column_letter(i)].width = width
    data.freeze_panes = "A2"
    rows = export.rows()
    data.append(heading(data, *next(rows)))
    convert = _converters(export, _XLSX)
    for row in rows:
        data.append([f(v) for f, v in zip(convert, row, strict=True)])
    last = get_column_letter(len(export.columns))
    data.auto_filter.ref = f"A1:{last}{export.row_count + 1}"

    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60
    about.column_dimensions["D"].width = 90
    about.append(heading(about, "field", "value"))
    for key, value in export.metadata.items():
        about.append([key, _xlsx_value(value)])
    about.append(["row_count", export.row_count])
    if export.options:
        about.append([])
        about.append(heading(about, "option key", "label", "position"))
        for option in export.options:
            about.append([_xlsx_value(option["key"]), _xlsx_value(option["label"]), option["position"]])
    about.append([])
    about.append(heading(about, "column", "type", "unit", "description"))
    for column in export.columns:
        about.append([column.name, column.type, column.unit, _xlsx_value(column.description)])
    wb.save(fileobj)


def write_text(export: Export, fmt: str) -> Iterator[str]:
    """The CSV or JSON text of an export, in batches."""
    return write_csv(export) if fmt == "csv" else write_json(export)
