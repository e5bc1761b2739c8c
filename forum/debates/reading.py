"""Reads of the debate page and the comments API: one code path for both.

The number of queries is fixed whatever the number of comments: a count, one
page of top-level comments, and one query for all the replies of that page.
"""

import functools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from operator import attrgetter

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import Http404

from forum.lib import prepared

from .models import Comment, Debate, Like, PollOption, Report
from .ranking import ranked_ids, stance_breakdown

# What a page of the discussion is made of: the only query parameters of the
# page every reader without a key shares, and of the address an action returns to.
PAGE_PARAMS = frozenset({"sort", "stance", "page"})

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "top": ("-like_count", "-created_at", "-id"),
    "common_ground": None,  # ranked in Python: see _common_ground_page
}


@dataclass
class CommentPage:
    count: int  # visible comments in the debate, replies included
    page: int
    pages: int
    sort: str
    stance: str
    threads: list[Comment]  # top-level comments, each with .replies (nested)
    declined: int = 0  # the viewer's comments here that a moderator rejected, not yet appealed
    filtered_threads: int | None = None  # under a stance filter, the threads it lists


# Columns a page of comments never shows (the page and the API alike); not read.
UNSHOWN = ("body", "reasons", "idempotency_key", "network_hash", "decided_at", "report_count")


def known_stance(debate: Debate, stance: str) -> str:
    """The stance filter as read: a poll answer's key, "none" (readers who did not
    vote), or "" (every stance) for anything else, which no comment carries."""
    if not stance or stance == "none":
        return stance
    return stance if any(o.key == stance for o in with_options(debate).options.all()) else ""


def shared_page_params(debate: Debate, sort: str, stance: str, page: int) -> tuple[str, str, int]:
    """The sort, stance and page a shared copy of a page of comments is kept under:
    what the request asks, normalised as the page is read (an unknown sort or
    stance is the default; a page past the last is the last), so that made-up
    values cannot fill the cache with copies of the same page. ``debate`` may be
    read with ``keyed=True``: these are among its key's fields."""
    sort = sort if sort in SORTS else "newest"
    stance = known_stance(debate, stance)
    last = max(1, math.ceil(debate.thread_count / settings.COMMENTS_PER_PAGE))
    return sort, stance, min(max(1, page), last)


def comment_page(debate: Debate, participant, *, sort: str = "newest", stance: str = "", page: int = 1) -> CommentPage:
    sort = sort if sort in SORTS else "newest"
    stance = known_stance(debate, stance)
    # The counts every reader shares are kept on the debate row (``Comment.save``);
    # a viewer's own held comments are added by one query over their comments.
    # So are the ones a moderator rejected, which the page does not show: the
    # author is told, and where to see why and appeal.
    own = {"top": 0, "all": 0, "replies": 0, "unlisted_threads": 0, "declined": 0}
    held = Comment.Status.PENDING
    if participant is not None:
        declined = [Comment.Status.REJECTED, Comment.Status.SPAM]
        own_threads = Q(thread__status=held, thread__participant=participant)  # counted in "top"
        own = Comment.objects.filter(debate=debate, participant=participant, status__in=[held, *declined]).aggregate(
            # (a held comment that is a placeholder is in the debate's thread count already)
            top=Count("pk", filter=Q(status=held, depth=0, placeholder=False)),
            all=Count("pk", filter=Q(status=held)),
            replies=Count("pk", filter=Q(status=held, depth__gt=0)),
            # The threads of held replies whose top-level comment nobody else is shown.
            unlisted_threads=Count(
                "thread",
                distinct=True,
                filter=Q(status=held, depth__gt=0, thread__placeholder=False)
                & ~Q(thread__status=Comment.Status.PUBLISHED)
                & ~own_threads,
            ),
            declined=Count("pk", filter=Q(status__in=declined, appeal__isnull=True)),
        )
    # The viewer's own held replies stay in sight under comments nobody else is
    # shown (taken down, or deleted, with no other visible reply): their threads
    # are listed for them, and the comments above them as placeholders.
    own_held_replies = bool(own["replies"]) and not stance
    unlisted_threads = own["unlisted_threads"] if own_held_replies else 0
    top = _top_level(debate.pk, participant, stance, with_own_held_threads=bool(unlisted_threads))
    # A stance filter is counted: the debate keeps no count per stance.
    top_count = top.count() if stance else debate.thread_count + own["top"] + unlisted_threads
    per_page = settings.COMMENTS_PER_PAGE
    pages = max(1, math.ceil(top_count / per_page))
    page = min(max(1, page), pages)
    offset = (page - 1) * per_page
    threads = None  # in the page's order, unless read so (common ground): sorted below
    if sort == "common_ground":
        threads = _common_ground_page(debate, top, offset, per_page, filtered=bool(stance))
        rows = _unshown(Comment.objects.filter(thread_id__in=[c.pk for c in threads], depth__gt=0)) if threads else None
    elif unlisted_threads:
        rows = _threads_with_replies(top, sort, offset, per_page)
    else:
        rows = _page_rows(debate.pk, participant, stance, sort, offset, per_page)
    by_id = {}
    replies = []
    rows = list(rows) if rows is not None else []
    above_own_held = _above_own_held(rows, participant) if own_held_replies else set()
    for c in rows:
        if c.depth == 0:
            by_id[c.pk] = _as_listed(c, participant)
        elif c.is_visible_to(participant) or c.pk in above_own_held:  # the replies' visibility is decided here
            replies.append(_as_listed(c, participant))
    if threads is None:
        threads = _ordered(list(by_id.values()), SORTS[sort])
    else:
        for c in threads:
            by_id[c.pk] = _as_listed(c, participant)
    for reply in replies:
        by_id[reply.pk] = reply
    for reply in sorted(replies, key=lambda r: (r.created_at, r.pk)):
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.replies.append(reply)
        # A reply to the deepest level hangs beside the comment it answers: name
        # it, or its placeholder (the whole thread is read, so one not read is
        # one not shown).
        if reply.reply_to_id is not None:
            reply.answering = by_id.get(reply.reply_to_id)
    options = list(debate.options.all())
    attach_stances(by_id.values(), options)
    liked, reported = _own_likes_and_reports(participant, by_id)
    for c in by_id.values():
        c.liked = c.pk in liked
        c.reported = c.pk in reported
        c.stance_bar = stance_breakdown(c, options)
    count = debate.comment_count + own["all"]  # deleted placeholders are listed but not counted
    return CommentPage(
        count=count,
        page=page,
        pages=pages,
        sort=sort,
        stance=stance,
        threads=threads,
        declined=own["declined"],
        filtered_threads=top_count if stance else None,
    )


def _top_level(debate_id: int, participant, stance: str, *, with_own_held_threads: bool = False):
    """The top-level comments a page lists to this viewer, under this stance filter."""
    top = Comment.objects.filter(debate_id=debate_id).visible_to(participant).filter(depth=0)
    if with_own_held_threads:
        mine = Comment.objects.filter(
            debate_id=debate_id, participant=participant, status=Comment.Status.PENDING, depth__gt=0
        )
        top = top | Comment.objects.filter(debate_id=debate_id, depth=0, pk__in=mine.values("thread_id"))
    if stance:
        # A placeholder shows no stance, so no stance filter lists it.
        top = top.exclude(placeholder=True)
    if stance == "none":
        top = top.filter(stance__isnull=True)
    elif stance:
        top = top.filter(stance__key=stance)
    return top


def _threads_with_replies(top, sort: str, offset: int, per_page: int):
    """One page of ``top``, sorted, with all the replies of its threads.

    The page's ids are picked in a subquery that sorts narrow rows (off the
    index when it covers the sort), and only those rows and their replies are
    read whole, in the same query: sorting every top-level row with its body
    costs several times more on a debate with thousands of comments. Replies
    are found by thread alone, so that every database reads them off the thread
    index (SQLite without statistics picks the status index when the status is
    in the query). (UNION ALL, not OR: PostgreSQL cannot read an OR of two IN
    subqueries off indexes and scans the whole table.)
    """
    page_ids = top.order_by(*_in_sql(SORTS[sort])).values("pk")[offset : offset + per_page]
    return _unshown(Comment.objects.filter(pk__in=page_ids)).union(
        _unshown(Comment.objects.filter(thread_id__in=page_ids, depth__gt=0)), all=True
    )


def _stance_kind(stance: str) -> str:
    return "key" if stance and stance != "none" else stance


# Placeholders of the compiled page read: no debate, participant or option has these.
_DEBATE, _PARTICIPANT, _STANCE = -1, -2, "@@stance@@"


@functools.lru_cache(maxsize=256)
def _page_read(sort: str, stance_kind: str, with_participant: bool, offset: int, per_page: int) -> prepared.Select:
    """``_threads_with_replies`` compiled once per process for each shape of page
    (its values are the debate, then the participant and the stance option's key
    when the shape has them): compiling that query costs ten times running it.
    A page's offset is written into the SQL, so each page number is a shape of
    its own; the most recent are kept, and not prepared on the server."""

    def build(debate_id, *values):
        values = list(values)
        participant = values.pop(0) if with_participant else None
        stance = values.pop(0) if stance_kind == "key" else stance_kind
        return _threads_with_replies(_top_level(debate_id, participant, stance), sort, offset, per_page)

    participant = [_PARTICIPANT] if with_participant else []
    return prepared.Select(build, [_DEBATE, *participant, *([_STANCE] if stance_kind == "key" else [])], server=False)


def _page_rows(debate_id: int, participant, stance: str, sort: str, offset: int, per_page: int) -> list[Comment]:
    """``_threads_with_replies`` of ``_top_level``, run by its compiled statement."""
    kind = _stance_kind(stance)
    values = [*([participant.pk] if participant is not None else []), *([stance] if kind == "key" else [])]
    return _page_read(sort, kind, participant is not None, offset, per_page).objects(debate_id, *values)


def _above_own_held(rows, participant) -> set[int]:
    """The replies above the viewer's own held replies among these rows."""
    by_id = {c.pk: c for c in rows}
    above = set()
    for c in rows:
        if c.depth > 0 and c.is_own_held(participant):
            parent = by_id.get(c.parent_id)
            while parent is not None and parent.depth > 0 and parent.pk not in above:
                above.add(parent.pk)
                parent = by_id.get(parent.parent_id)
    return above


def _as_listed(comment: Comment, participant) -> Comment:
    """A comment read for a page, as this viewer sees it: a hidden comment listed
    as a placeholder (``removed``) keeps nothing but its place, unless it is the
    viewer's own held comment, which they see whole."""
    comment.replies = []
    comment.removed = comment.status in Comment.HIDDEN and not comment.is_own_held(participant)
    if comment.removed:
        comment.body_html = ""
        comment.author_name = ""
        comment.stance_id = None
        comment.like_count = 0
        comment.likes_by_stance = {}
    return comment


# Only a published comment shows its likes, so the top sort counts none for any
# other (a placeholder's are kept for an appeal).
_SHOWN_LIKES = Case(
    When(status=Comment.Status.PUBLISHED, then=F("like_count")), default=Value(0), output_field=IntegerField()
)


def _in_sql(fields):
    """A sort of ``SORTS`` for the database, which still holds a placeholder's likes."""
    return [_SHOWN_LIKES.desc() if field == "-like_count" else field for field in fields]


def _own_likes_and_reports(participant, comment_ids) -> tuple[set[int], set[int]]:
    """Which of these comments the viewer liked, and which they reported, in one query."""
    liked, reported = set(), set()
    if participant is None or not comment_ids:
        return liked, reported
    likes = Like.objects.filter(participant=participant, comment_id__in=comment_ids).annotate(kind=Value("like"))
    reports = Report.objects.filter(participant=participant, comment_id__in=comment_ids).annotate(kind=Value("report"))
    for comment_id, kind in likes.values_list("comment_id", "kind").union(
        reports.values_list("comment_id", "kind"), all=True
    ):
        (liked if kind == "like" else reported).add(comment_id)
    return liked, reported


def _unshown(comments):
    return comments.defer(*UNSHOWN).order_by()


def _ordered(comments: list, fields) -> list:
    """``comments`` sorted as ``order_by(*fields)`` would, by stable sorts from the last field to the first."""
    for field in reversed(fields):
        comments.sort(key=attrgetter(field.lstrip("-")), reverse=field.startswith("-"))
    return comments


def attach_stances(comments, options) -> None:
    """Set each comment's stance from the debate's options, already read, instead of a join."""
    by_id = {o.pk: o for o in options}
    cache_stance = Comment.stance.field.set_cached_value
    for c in comments:
        cache_stance(c, by_id.get(c.stance_id))


def _common_ground_page(debate, top, offset, per_page, *, filtered):
    """Top-level comments with a common-ground score first (best first), then the
    rest by recency. Two queries for a page, whatever the number of comments."""
    scored = [pk for pk, _, depth in ranked_ids(debate) if depth == 0]
    if filtered:
        allowed = set(top.filter(pk__in=scored).values_list("pk", flat=True))
        scored = [pk for pk in scored if pk in allowed]
    page_ids = scored[offset : offset + per_page]
    rows = {c.pk: c for c in top.filter(pk__in=page_ids).defer(*UNSHOWN)} if page_ids else {}
    threads = [rows[pk] for pk in page_ids if pk in rows]
    missing = per_page - len(threads)
    if missing > 0:
        rest_offset = max(0, offset - len(scored))
        rest = top.exclude(pk__in=scored).defer(*UNSHOWN).order_by("-created_at", "-id")
        threads += list(rest[rest_offset : rest_offset + missing])
    return threads


def common_ground_highlights(debate: Debate, limit: int = 3) -> list[Comment]:
    """The comments that readers on different sides like most: the "Where the
    sides agree" panel. No query when the ranking is cached and empty."""
    top_ids = [pk for pk, _, _ in ranked_ids(debate)[:limit]]
    if not top_ids:
        return []
    options = list(debate.options.all())
    rows = {c.pk: c for c in Comment.objects.filter(pk__in=top_ids).defer(*UNSHOWN)}
    highlights = [rows[pk] for pk in top_ids if pk in rows]
    attach_stances(highlights, options)
    for c in highlights:
        c.stance_bar = stance_breakdown(c, options)
    return highlights


# ----------------------------------------------- what readers without a key share


@dataclass(frozen=True)
class _CompiledRead:
    sql: str
    converters: list  # (position, converters, expression) of the columns that need one
    attnames: list[str]


_compiled_reads: dict[tuple[str, bool, bool], _CompiledRead] = {}

# What a cache key needs (``Debate.cache_key``), and the slug; a cache hit reads no more.
# The thread count bounds the pages a shared copy can be kept for (``shared_page_params``).
KEY_FIELDS = ("id", "slug", "created_at", "version", "poll_open", "poll_closes_at", "thread_count")


def debate_read(slug: str | None = None, *, keyed: bool = False) -> Debate | None:
    """The featured debate (in the order of ``DebateQuerySet.featured``), or the
    debate with this slug, without its options; None when there is none.

    This is the only query of a cached page or API response, so it skips the
    ORM's query compiler, which costs many times the query itself: the SQL and
    the column converters are compiled from the QuerySet once per process and
    database, then reused.

    ``keyed`` reads only ``KEY_FIELDS``, enough for the debate's cache keys:
    the summary alone is kilobytes, which a hit has no use for. The other
    fields are deferred; ``complete()`` loads them in one query for a render.
    """
    by_slug = slug is not None
    compiled = _compiled_reads.get((connection.vendor, by_slug, keyed))
    if compiled is None:
        queryset = Debate.objects.listed().prefetch_related(None)
        if keyed:
            queryset = queryset.only(*KEY_FIELDS)
        if by_slug:
            queryset = queryset.filter(slug="")
        compiler = queryset[:1].query.get_compiler(connection=connection)
        sql, _ = compiler.as_sql()
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = [(i, *pair) for i, pair in compiler.get_converters(columns).items()]
        compiled = _CompiledRead(sql, converters, [column.target.attname for column in columns])
        _compiled_reads[(connection.vendor, by_slug, keyed)] = compiled
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(compiled.sql, [slug] if by_slug else [])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, converters, expression in compiled.converters:
        for convert in converters:
            row[position] = convert(row[position], expression, connection)
    return Debate.from_db(connection.alias, compiled.attnames, row)


def complete(debate: Debate) -> Debate:
    """A debate read with ``keyed=True``, its other fields loaded in one query.

    They may be newer than its version, never older: a copy stored under that
    version's key then shows a change early, not late."""
    deferred = debate.get_deferred_fields()
    if deferred:
        try:
            debate.refresh_from_db(fields=list(deferred))
        except Debate.DoesNotExist:  # deleted since its key was read
            raise Http404(f"No debate with the slug {debate.slug!r}.") from None
    return debate


_OPTIONS = prepared.Select(lambda debate_id: PollOption.objects.filter(debate_id=debate_id), [-1])


@functools.lru_cache(maxsize=64)
def _options_of(debate_id: int):
    """An unevaluated QuerySet of a debate's options, built once per process:
    building the filter costs more than the query (55 µs against 40)."""
    return PollOption.objects.filter(debate_id=debate_id)


def with_options(debate: Debate) -> Debate:
    """The debate with its poll options in place, as ``prefetch_related("options")``
    leaves them (``debate.options.all()`` then reads them without a query), but
    from a prepared query: the prefetch machinery costs more than the query."""
    if "options" in getattr(debate, "_prefetched_objects_cache", {}):
        return debate  # read already
    # Filtered as the related manager's own QuerySet is, so that chaining on it
    # stays right; a copy of the process's template, which is never evaluated.
    options = _options_of(debate.pk)._chain()
    options._result_cache = _OPTIONS.objects(debate.pk)
    options._prefetch_done = True
    debate._prefetched_objects_cache = {"options": options}
    return debate


class RecentCopies:
    """Rendered responses (or other values computed from the database), shared
    through the cache and kept per process.

    ``get(key, render)`` returns this process's copy, else the shared cache's,
    else renders, stores and returns it. The key must carry everything the
    render depends on (the debate's version first): a copy is then never wrong,
    only unused, so keeping the latest few in each process is safe, and saves
    fetching and unpickling a page of hundreds of kilobytes on every hit.
    """

    def __init__(self, size: int = 8, convert=lambda value: value):
        self.size = size
        self.convert = convert  # shared value -> what this process keeps
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, render):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                return value
        shared = cache.get(key)
        if shared is None:
            shared = render()
            cache.set(key, shared, timeout=24 * 3600)
        value = self.convert(shared)
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
