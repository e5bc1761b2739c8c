"""Fill a freshly migrated scratch database with the benchmark's data.

Run by ``bench/run.py`` with DATABASE_URL (and REDIS_URL) pointing at the
scratch database, never at the real one. Prints one JSON object: the slugs of
each scenario's debate and a moderator's session cookie.

- the featured debate (``/``) with 10,000 comments;
- debates of 200 and 2,000 comments for the comments API;
- a queue debate that brings the total to 100,000 comments, 10,000 of them
  pending, with 1,000 open reports;
- empty debates that receive the comment and vote POSTs;
- ballots and daily tallies, so that results have something to count;
- a moderator with TOTP whose session has passed two-factor.
"""

import argparse
import datetime
import json
import os
import secrets
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")

import django  # noqa: E402

django.setup()

import corpus  # noqa: E402
from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from forum.debates.models import Ballot, Comment, DailyTally, Debate, Participant, PollOption, Report  # noqa: E402
from forum.debates.seed import CLEARVIEW_OPTIONS, ensure_clearview_debate  # noqa: E402
from forum.lib.hashing import key_hash  # noqa: E402
from forum.lib.markdown import render_comment  # noqa: E402
from forum.moderation.permissions import AUTHENTICATION_RECORDS, MODERATORS_GROUP  # noqa: E402

BATCH = 5000
_html: dict[str, str] = {}


def _render(text: str) -> str:
    if text not in _html:
        _html[text] = render_comment(text)
    return _html[text]


def _debate(slug: str, title: str) -> Debate:
    debate = Debate.objects.create(
        slug=slug,
        title=title,
        summary="A scratch debate for the benchmark.",
        source_name="Benchmark",
        source_date=datetime.date(2022, 10, 26),
        source_url="https://example.org/",
        question="Is this a benchmark?",
        featured=False,
    )
    PollOption.objects.bulk_create(
        PollOption(debate=debate, key=key, label=label, position=i) for i, (key, label) in enumerate(CLEARVIEW_OPTIONS)
    )
    return debate


def _insert(model, rows: list[dict]) -> None:
    """Plain INSERTs of many rows: the ORM's bulk_create spends half a
    millisecond of Python per row, which for 100,000 comments is minutes."""
    if not rows:
        return
    ops = connection.ops
    # Every concrete column: the ones given, the others at their model default.
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.name: f.get_default() for f in fields if f.name not in rows[0]}
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"

    def adapt(field, value):
        if value is None:
            return None
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value(value)
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value(value)
        return value

    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.executemany(sql, [tuple(adapt(f, {**defaults, **row}[f.name]) for f in fields) for row in batch])


def _participants(n: int) -> list[int]:
    now = timezone.now()
    _insert(
        Participant,
        [
            {"key_hash": key_hash(secrets.token_urlsafe(24)), "created_at": now, "last_seen_on": now.date()}
            for _ in range(n)
        ],
    )
    return list(Participant.objects.order_by("pk").values_list("pk", flat=True))


def _comments(debate: Debate, n: int, people: list[int], *, pending: int = 0) -> None:
    """n comments in the shared shape, oldest first; the last ``pending`` top-level ones are held."""
    options = list(debate.options.all())
    parents = corpus.shape(n)
    start = timezone.now() - datetime.timedelta(days=20)
    step = datetime.timedelta(days=19) / max(n, 1)
    tops = [i for i, p in enumerate(parents) if p is None]
    held = set(tops[len(tops) - pending :]) if pending else set()

    def row(i, parent_id=None):
        status = Comment.Status.PENDING if i in held else Comment.Status.PUBLISHED
        stance = options[i % len(options)]
        return {
            "debate": debate.pk,
            "participant": people[i % len(people)],
            "parent": parent_id,
            "thread": parent_id,
            "depth": 0 if parent_id is None else 1,
            "author_name": corpus.author(i),
            "stance": stance.pk if i % 5 else None,
            "body": corpus.body(i),
            "body_html": _render(corpus.body(i)),
            "status": status,
            "reasons": ["toxicity"] if status == Comment.Status.PENDING else [],
            "created_at": start + i * step,
            "like_count": i % 7,
            "likes_by_stance": {stance.key: i % 7} if i % 7 else {},
        }

    _insert(Comment, [row(i) for i in tops])  # each heads its own thread (the database's trigger)
    # Top-level comments were written oldest first, so their ids follow the same order.
    written = Comment.objects.filter(debate=debate).order_by("created_at", "id").values_list("pk", flat=True)
    ids = dict(zip(tops, written, strict=True))
    _insert(Comment, [row(i, ids[parents[i]]) for i, p in enumerate(parents) if p is not None])


def _ballots(debate: Debate, people: list[int]) -> None:
    options = list(debate.options.all())
    now = timezone.now()
    rows, tallies = [], {}
    for n, pk in enumerate(people):
        first, current = options[n % 3], options[(n // 3 + n) % 3]
        day = (now - datetime.timedelta(days=n % 14)).date()
        rows.append(
            Ballot(debate=debate, participant_id=pk, option=current, first_option=first, cast_at=now, updated_at=now)
        )
        tallies[(current.pk, day)] = tallies.get((current.pk, day), 0) + 1
    Ballot.objects.bulk_create(rows, batch_size=BATCH)
    DailyTally.objects.bulk_create(DailyTally(option_id=o, day=d, added=n) for (o, d), n in tallies.items())


def _moderator_session() -> str:
    """A moderator with TOTP whose session passed both steps, as allauth records them."""
    email = "bench-moderator@example.org"
    user = get_user_model().objects.create_user(username=email, email=email, password=secrets.token_urlsafe(20))
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    authenticator = TOTP.activate(user, generate_totp_secret()).instance
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "forum.moderation.adapters.SessionUserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = time.time()
    store[AUTHENTICATION_RECORDS] = [
        {"method": "password", "at": now, "email": email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"},
    ]
    store.save()
    return store.session_key


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-comments", type=int, default=10_000)
    parser.add_argument("--total-comments", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=10_000)
    args = parser.parse_args()
    started = time.monotonic()
    with transaction.atomic():
        page, _ = ensure_clearview_debate()
        people = _participants(20_000)
        small = _debate("bench-thread-200", "A 200-comment thread")
        large = _debate("bench-thread-2000", "A 2,000-comment thread")
        queue = _debate("bench-queue", "The moderation queue's debate")
        posts = _debate("bench-comment-posts", "Receives the comment POSTs")
        votes = _debate("bench-votes", "Receives the vote POSTs")
        _comments(page, args.page_comments, people)
        _comments(small, 200, people)
        _comments(large, 2_000, people)
        rest = max(0, args.total_comments - args.page_comments - 2_200)
        _comments(queue, rest, people, pending=args.pending)
        reported = Comment.objects.filter(debate=queue, depth=0, status=Comment.Status.PUBLISHED).order_by("id")
        Report.objects.bulk_create(
            Report(comment_id=c, participant_id=people[-1 - n], reason=Report.Reason.OFF_TOPIC)
            for n, c in enumerate(reported.values_list("pk", flat=True)[:1000])
        )
        Comment.objects.filter(pk__in=reported.values_list("pk", flat=True)[:1000]).update(report_count=1)
        _ballots(page, people[:5_000])
        _ballots(votes, people[5_000:15_000])
        session = _moderator_session()
        for debate in Debate.objects.all():  # the comments were bulk-created, not saved one by one
            debate.recount_comments()
    # A PostgreSQL database in service has its planner statistics and
    # visibility map from autovacuum, which a freshly loaded one lacks for a
    # minute or so (the planner then takes the tables for empty and counts read
    # the heap): settle it as autovacuum would before anything is measured.
    # SQLite has no such thing, and gets nothing here.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        json.dumps(
            {
                "page": page.slug,
                "thread_200": small.slug,
                "thread_2000": large.slug,
                "queue": queue.slug,
                "comment_posts": posts.slug,
                "votes": votes.slug,
                "comments": Comment.objects.count(),
                "pending": Comment.objects.filter(status=Comment.Status.PENDING).count(),
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "session": session,
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
