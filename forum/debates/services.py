"""Writes of the public side. The HTML views and the JSON API both call these,
so every rule lives here once.

Each service raises ``Refused`` with a code, a plain-words message and an HTTP
status when a rule says no; callers show the message and give the author's
text back.
"""

import datetime
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from forum.lib import prepared, ratelimit
from forum.lib.hashing import key_hash
from forum.lib.markdown import render_comment
from forum.lib.screening import REASON_TEXT, Action, Context, screen, shown_text, without_invisible

from .models import (
    ANONYMOUS,
    Appeal,
    Ballot,
    Ban,
    Comment,
    CommentRevision,
    DailyTally,
    Debate,
    Like,
    Participant,
    PollOption,
    Report,
    WordRule,
    sync_placeholder,
)
from .network import period_ends_at


@dataclass
class Refused(Exception):
    code: str
    message: str
    status: int = 400
    fields: dict = field(default_factory=dict)
    retry_after: int | None = None

    def __str__(self):
        return self.message


# ---------------------------------------------------------------- participants


_NEW_PARTICIPANT = prepared.Insert(
    lambda key_hash, now, today: Participant(key_hash=key_hash, created_at=now, last_seen_on=today),
    ["\x00key", prepared.A_TIME, prepared.A_DAY],
)


def new_key() -> str:
    """A participant's secret key: 192 random bits, shown once; only its hash is stored."""
    return secrets.token_urlsafe(24)


def participant_create() -> tuple[Participant, str]:
    """A new participant and its secret key, shown once."""
    key = new_key()
    # Every first vote or comment makes one: a prepared insert (nothing observes participants' saves).
    return _NEW_PARTICIPANT.create(key_hash(key), timezone.now(), timezone.localdate()), key


def participant_from_key(key: str | None) -> Participant | None:
    if not key or len(key) > 200:
        return None
    return Participant.objects.filter(key_hash=key_hash(key.strip())).first()


def participant_touch(participant: Participant) -> None:
    today = timezone.localdate()
    if participant.last_seen_on != today:
        Participant.objects.filter(pk=participant.pk).update(last_seen_on=today)
        participant.last_seen_on = today


# Whether any ban in force names this participant or network (None matches nothing).
_ANY_BAN = prepared.Select(
    lambda participant_id, network_hash, now: (
        Ban.objects.active(now)
        .filter(Q(participant_id=participant_id) | Q(network_hash=network_hash))
        .order_by()
        .values_list("pk")[:1]
    ),
    [-1, "\x00network", prepared.A_TIME],
)


def active_ban(participant: Participant | None, network_hash: str = "") -> Ban | None:
    """The ban in force against this participant or its network, if any."""
    if participant is None and not network_hash:
        return None
    # Every vote and comment asks, and nearly always there is none: a prepared
    # query answers that, and only a hit pays for the full one below.
    if not _ANY_BAN.rows(getattr(participant, "pk", None), network_hash or None, timezone.now()):
        return None
    bans = Ban.objects.active()
    if participant is not None and network_hash:
        bans = bans.filter(Q(participant=participant) | Q(network_hash=network_hash))
    elif participant is not None:
        bans = bans.filter(participant=participant)
    else:
        bans = bans.filter(network_hash=network_hash)
    return bans.order_by(F("expires_at").desc(nulls_first=True)).first()


def as_sentence(text: str) -> str:
    """A moderator's words as the end of a sentence: with a full stop, never two."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def until_words(ends: datetime.datetime | None) -> str:
    """When a ban ends, as readers and moderators read it: "until 7 December 2026, 21:44 UTC"."""
    return "permanently" if ends is None else f"until {ends.day} {ends:%B %Y, %H:%M} UTC"


@dataclass(frozen=True)
class BanInForce:
    """What stops a reader taking part: their own ban, or their network's block."""

    own: bool
    ends: datetime.datetime | None  # None: permanently
    reason: str = ""  # the moderator's, for the reader's own ban only

    @property
    def sentence(self) -> str:
        """Why, in the words every refusal uses."""
        if self.own:
            return f"You are banned from taking part {until_words(self.ends)}. Reason: {as_sentence(self.reason)}"
        return (
            f"Taking part from your network is blocked {until_words(self.ends)}: a moderator banned someone who "
            "used it. You can still read the debate. If that was not you, please try again later or from another "
            "connection."
        )


def ban_in_force(participant: Participant | None, network_hash: str = "") -> BanInForce | None:
    """The ban that stops this participant or network taking part, if any."""
    ban = active_ban(participant, network_hash)
    if ban is None:
        return None
    # The participant's own ban speaks first, with its reason, even when a
    # ban of someone else on the same network lasts longer.
    own = ban if participant is not None and ban.participant_id == participant.pk else active_ban(participant)
    if own is not None:
        return BanInForce(own=True, ends=own.expires_at, reason=own.reason)
    # Caught by the network alone: perhaps the banned person under a new key,
    # perhaps someone sharing their connection. Their reason is not ours to show.
    # The block lasts until the network's hash changes, or the ban ends if sooner.
    ends = period_ends_at()
    return BanInForce(own=False, ends=ends if ban.expires_at is None else min(ban.expires_at, ends))


def ban_refusal(participant: Participant | None, network_hash: str = "") -> str | None:
    """Why a ban in force refuses this participant or network; None when nothing is banned."""
    ban = ban_in_force(participant, network_hash)
    return None if ban is None else ban.sentence


def _refuse_if_banned(participant, network_hash):
    message = ban_refusal(participant, network_hash)
    if message is not None:
        raise Refused("banned", message, status=403)


def _rate_limit(scope: str, ident: str, spec: str, what: str) -> None:
    wait = ratelimit.hit(scope, ident, spec)
    if wait:
        raise Refused(
            "rate_limited",
            f"Too many {what} in a short time. Please wait {wait} seconds and try again.",
            status=429,
            retry_after=wait,
        )


_BUMP = prepared.Update(lambda pk: (Debate.objects.filter(pk=pk), {"version": F("version") + 1}), [-1])


def _bump(debate_id: int) -> None:
    """Invalidate every cached view of the debate (cache keys carry its version)."""
    _BUMP(debate_id)


# -------------------------------------------------------------------- comments


# Control characters draw as empty boxes, or as nothing, and a spreadsheet
# cell cannot hold most of them: all but the tab and the line feed go.
_CONTROLS = {cp: None for cp in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if cp not in (0x09, 0x0A)}


def normalise_text(text: str) -> str:
    """The documented normalisation: Unicode NFC, CRLF → LF, trimmed, no control
    character but the tab and the line feed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
    return unicodedata.normalize("NFC", text).strip()  # after: a mark a control parted may join its letter


_STAFF_WORDS = ("moderator", "admin", "administrator", "staff", "official")
# A staff word ending a word ("Admin 2", "staff_member", "SiteAdmin"), not the start
# or middle of another one ("Staffan", "Badminton fan", "Officially Bob").
_STAFF_PATTERN = re.compile(r"(?:" + "|".join(_STAFF_WORDS) + r")(?![^\W\d_])")


# Cyrillic and Greek letters drawn like Latin ones, small and capital, read as
# those in the staff check ("Official" with a Cyrillic O, "ADMIN" with Greek capitals).
_LOOKALIKES = str.maketrans(
    dict(
        zip(  # Cyrillic small, Cyrillic capital, Greek small, Greek capital; then the Latin letters
            "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04cf\u043a"
            "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425\u0406\u0408\u0405"
            "\u03bf\u03b1\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5"
            "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
            "aeopcyxijsdlkabekmhopctyxijsoaeikvptuabezhikmnoptyx",
            strict=True,
        )
    )
)


# Digits and signs written for letters ("M0derator", "Adm1n", "$taff"). Read this
# way only as a second reading, beside the first: "Admin1" must stay "admin" then "1".
_DIGITS_AS_LETTERS = str.maketrans("013457@$", "oieastas")


def _staff_folded(text: str) -> str:
    """A name as the staff check reads it: as shown, lookalike letters as Latin, one case, single spaces."""
    return " ".join(shown_text(text).translate(_LOOKALIKES).casefold().split())


def clean_author_name(name: str | None) -> str:
    # What shows nothing goes (direction controls would reorder the text after the name),
    # but for what shapes the letters around it: joiners in Persian words and emoji, flag tags.
    name = " ".join(without_invisible(normalise_text(name or ""), shaping=True).split()).strip("\u200c\u200d")
    if not without_invisible(name).strip():
        return ANONYMOUS
    if len(name) > 40:
        raise Refused("invalid", "Your display name can be at most 40 characters.", fields={"author_name": "too long"})
    site = _staff_folded(settings.SITE_NAME)
    readings = (folded := _staff_folded(name), folded.translate(_DIGITS_AS_LETTERS))
    if any(_STAFF_PATTERN.search(reading) or site in reading for reading in readings):
        raise Refused(
            "invalid",
            "That display name could be mistaken for the site's staff. Please choose another.",
            fields={"author_name": "reserved"},
        )
    return name


def last_display_name(participant: Participant | None) -> str:
    """The name the participant signed their latest comment with, to fill in
    their next one; empty for a new reader or one who posted anonymously."""
    if participant is None:
        return ""
    name = (
        Comment.objects.filter(participant=participant)
        .order_by("-created_at", "-id")
        .values_list("author_name", flat=True)
        .first()
    )
    return "" if name in (None, ANONYMOUS) else name


# The left-to-right and right-to-left overrides draw the letters after them in
# the order they force: "\u202emacs" shows as "scam", which no check reads.
# A body loses them (embeddings, isolates and marks, which order runs of text
# but never reverse a word, stay).
_OVERRIDES = {0x202D: None, 0x202E: None}


def clean_body(body: str | None) -> str:
    body = normalise_text(body).translate(_OVERRIDES)
    if not without_invisible(body).strip():  # kept whole: joiners hold emoji together
        raise Refused("invalid", "Your comment is empty.", fields={"body": "required"})
    if len(body) > settings.COMMENT_MAX_LENGTH:
        raise Refused(
            "invalid",
            f"Your comment is {len(body):,} characters long; the limit is {settings.COMMENT_MAX_LENGTH:,}.",
            fields={"body": "too long"},
        )
    return body


_WORD_RULES = prepared.Select(lambda: WordRule.objects.values_list("pattern", "action"), [])


def screening_context(debate: Debate, participant: Participant | None) -> Context:
    rules = _WORD_RULES.rows()
    # Only "first comment" premoderation needs to know; skip the query otherwise.
    first = debate.premoderation == Debate.Premoderation.FIRST and (
        participant is None or not Comment.objects.filter(participant=participant, debate=debate).exists()
    )
    return Context(
        banned_words=[p for p, a in rules if a == WordRule.Action.REJECT],
        suspect_words=[p for p, a in rules if a == WordRule.Action.HOLD],
        max_links=settings.SCREEN_MAX_LINKS,
        toxicity_threshold=settings.SCREEN_TOXICITY_THRESHOLD,
        # Named by a setting so that debates never imports the moderation app.
        toxicity=import_string(settings.SCREEN_TOXICITY_SCORER) if settings.SCREEN_TOXICITY_SCORER else None,
        premoderation=debate.premoderation,
        is_first_comment=first,
    )


def _stance_of(debate: Debate, participant: Participant | None) -> PollOption | None:
    if participant is None:
        return None
    ballot = Ballot.objects.filter(debate=debate, participant=participant).select_related("option").first()
    return ballot.option if ballot else None


@dataclass
class Created:
    comment: Comment
    participant: Participant
    new_key: str | None  # set only when this call created the participant


def comment_create(
    *,
    debate: Debate,
    participant: Participant | None,
    body: str,
    author_name: str | None = None,
    parent_id: int | None = None,
    network_hash: str = "",
    idempotency_key: str = "",
) -> Created:
    """Post a comment or a reply, screened, rate limited and tagged with the stance.

    A retry with the same idempotency key returns the comment already made
    instead of posting it twice.
    """
    body = clean_body(body)
    author_name = clean_author_name(author_name)
    idempotency_key = idempotency_key or ""
    if len(idempotency_key) > IDEMPOTENCY_KEY_LENGTH:
        raise Refused(
            "invalid",
            f"The idempotency key may be at most {IDEMPOTENCY_KEY_LENGTH} characters.",
            fields={"idempotency_key": "too_long"},
        )
    if participant is not None and idempotency_key:
        existing = Comment.objects.filter(participant=participant, idempotency_key=idempotency_key).first()
        if existing is not None:
            return Created(_same_request(existing, body, parent_id), participant, None)
    if not debate.comments_open:
        raise Refused("comments_closed", "Comments are closed on this debate.", status=403)
    _refuse_if_banned(participant, network_hash)

    parent = reply_to = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, debate=debate).first()
        if (
            parent is None
            or parent.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING)
            or (parent.status == Comment.Status.PENDING and parent.participant_id != getattr(participant, "pk", None))
        ):
            # Deleted, taken down, or hidden while a moderator looks at it: which one is not the replier's to know.
            raise Refused(
                "not_found",
                "The comment you are replying to is no longer shown: it was deleted or removed, "
                "or waits for a moderator.",
                status=404,
            )
        # Replies deeper than three levels attach to the third level, and say whom they answer.
        reply_to = parent if parent.depth >= Comment.MAX_DEPTH else None
        while parent.depth >= Comment.MAX_DEPTH:
            parent = parent.parent

    if participant is not None:
        _rate_limit("comment", f"p{participant.pk}", settings.RATE_LIMIT_COMMENTS, "comments")
    _rate_limit("comment-net", network_hash, settings.RATE_LIMIT_COMMENTS_NETWORK, "comments from your network")

    now = timezone.now()
    if participant is not None:
        _refuse_if_slow_or_repeated(debate, participant, body, now)

    verdict = screen(body, screening_context(debate, participant))
    if verdict.action == Action.REJECT:
        raise Refused(
            "rejected",
            "Your comment was not posted. " + " ".join(REASON_TEXT.get(r, r) for r in verdict.reasons),
            status=400,
            fields={"body": "rejected"},
        )

    comment = Comment(
        debate=debate,
        participant=participant,
        parent=parent,
        reply_to=reply_to,
        thread_id=(parent.thread_id or parent.pk) if parent else None,
        depth=(parent.depth + 1) if parent else 0,
        author_name=author_name,
        stance=_stance_of(debate, participant),
        body=body,
        body_html=render_comment(body),
        status=Comment.Status.PENDING if verdict.action == Action.HOLD else Comment.Status.PUBLISHED,
        reasons=verdict.reasons,
        created_at=now,
        idempotency_key=idempotency_key,
        network_hash=network_hash,
    )
    # The constraints (depth at most three, one comment per idempotency key)
    # are the database's to enforce at the insert; checking them here would
    # cost a query each and prove nothing under concurrency.
    comment.full_clean(
        exclude=["participant", "parent", "reply_to", "thread", "stance", "debate"], validate_constraints=False
    )

    # Everything above runs before the transaction: on SQLite the write lock is
    # taken at BEGIN, so the shorter the transaction the less the other
    # workers wait for it.
    new_key = None
    with transaction.atomic():
        if participant is None:
            participant, new_key = participant_create()
            comment.participant = participant
            # The first comment counts against the key it creates, like every later one.
            ratelimit.hit("comment", f"p{participant.pk}", settings.RATE_LIMIT_COMMENTS)
            comment.save(force_insert=True)
        elif idempotency_key:
            try:
                with transaction.atomic():
                    comment.save(force_insert=True)
            except IntegrityError:  # the same retry arrived twice at once
                existing = Comment.objects.filter(participant=participant, idempotency_key=idempotency_key).first()
                if existing is None:
                    raise
                return Created(_same_request(existing, body, parent_id), participant, None)
        else:
            comment.save(force_insert=True)
        # No ``_bump``: a new comment, held or published, is counted on the debate
        # row, and that UPDATE bumped the version (``count_change``).
    return Created(comment, participant, new_key)


def _refuse_if_slow_or_repeated(debate: Debate, participant: Participant, body: str, now) -> None:
    """Slow mode (time since the author's last comment anywhere) and the
    duplicate window (the same text lately), answered by one query."""
    window = datetime.timedelta(seconds=settings.COMMENT_DUPLICATE_WINDOW_SECONDS)
    recent = Comment.objects.filter(participant=participant).aggregate(
        last=Max("created_at"), repeats=Count("pk", filter=Q(body=body, created_at__gte=now - window))
    )
    if recent["last"] is None:
        return
    since_last = (now - recent["last"]).total_seconds()
    if settings.RATE_LIMITS and debate.slow_mode_seconds and since_last < debate.slow_mode_seconds:
        wait = int(debate.slow_mode_seconds - since_last) + 1
        raise Refused(
            "slow_mode",
            f"This debate is in slow mode: please wait {wait} seconds between comments.",
            status=429,
            retry_after=wait,
        )
    if recent["repeats"]:
        raise Refused(
            "duplicate",
            "You posted exactly this comment a few minutes ago. It is already on the page.",
            status=400,
            fields={"body": "duplicate"},
        )


IDEMPOTENCY_KEY_LENGTH = 64


def _same_request(existing: Comment, body: str, parent_id: int | None) -> Comment:
    """The comment a retry made before, if the retry asks for the same thing: the
    same key with another text or parent is a client's mistake, not a retry."""
    bodies = {existing.body}
    if existing.edited_at is not None:  # a retry of the text as first sent, since edited
        bodies.update(CommentRevision.objects.filter(comment=existing).values_list("body", flat=True))
    if body not in bodies or not _attaches_to(parent_id, existing.parent_id):
        raise Refused(
            "idempotency_key_reused",
            "This idempotency key was used for another comment. Send a new key with each new comment.",
            status=422,
            fields={"idempotency_key": "reused"},
        )
    return existing


def _attaches_to(parent_id: int | None, kept_parent_id: int | None) -> bool:
    """Whether a reply sent to ``parent_id`` is kept under ``kept_parent_id``: replies
    deeper than three levels attach to the third level (``comment_create``)."""
    while parent_id is not None and parent_id != kept_parent_id:
        row = Comment.objects.filter(pk=parent_id).values_list("depth", "parent_id").first()
        if row is None or row[0] < Comment.MAX_DEPTH:
            return False
        parent_id = row[1]
    return parent_id == kept_parent_id


def _own_comment(comment_id: int, participant: Participant | None, *, lock: bool = False) -> Comment:
    """One's own comment, not deleted. With ``lock`` (inside a transaction) the row
    as it is now, locked until the transaction ends, so that a moderator's decision
    made meanwhile is neither written over nor counted twice."""
    comments = Comment.objects.select_related("debate")
    if lock:
        comments = comments.select_for_update(of=("self",))
    comment = comments.filter(pk=comment_id).first()
    if comment is None or comment.status == Comment.Status.DELETED:
        raise Refused("not_found", "That comment does not exist.", status=404)
    if participant is None or comment.participant_id != participant.pk:
        raise Refused("forbidden", "Only the author can change this comment.", status=403)
    return comment


def edit_deadline(comment: Comment) -> datetime.datetime:
    return comment.created_at + datetime.timedelta(seconds=settings.COMMENT_EDIT_WINDOW_SECONDS)


def comment_edit(*, comment_id: int, participant: Participant | None, body: str) -> Comment:
    """Change one's own comment within the edit window; the old text is kept for moderators."""
    comment = _own_comment(comment_id, participant)
    body = clean_body(body)
    if timezone.now() > edit_deadline(comment):
        minutes = settings.COMMENT_EDIT_WINDOW_SECONDS // 60
        raise Refused("edit_window_over", f"Comments can only be edited for {minutes} minutes.", status=409)
    _refuse_if_banned(participant, "")
    if body == comment.body:
        return comment
    verdict = screen(body, screening_context(comment.debate, participant))
    if verdict.action == Action.REJECT:
        raise Refused(
            "rejected",
            "Your edit was not saved. " + " ".join(REASON_TEXT.get(r, r) for r in verdict.reasons),
            fields={"body": "rejected"},
        )
    with transaction.atomic():
        comment = _own_comment(comment_id, participant, lock=True)
        CommentRevision.objects.create(
            comment=comment, body=comment.body, created_at=comment.edited_at or comment.created_at
        )
        comment.body = body
        comment.body_html = render_comment(body)
        comment.edited_at = timezone.now()
        changed = ["body", "body_html", "edited_at"]
        if verdict.action == Action.HOLD and comment.status == Comment.Status.PUBLISHED:
            comment.status = Comment.Status.PENDING
            comment.reasons = verdict.reasons
            changed += ["status", "reasons"]
        comment.save(update_fields=changed)
        _bump(comment.debate_id)
    return comment


def comment_erase(comment: Comment) -> None:
    """Erase a comment's text: a placeholder stays only where replies hang on it.

    The caller holds the transaction and bumps the debate; one's own deletion
    and the erasure of everything (``forum.debates.privacy``) both use it.
    """
    if comment.replies_to_it().exists():
        comment.body = ""
        comment.body_html = ""
        comment.author_name = ""
        comment.status = Comment.Status.DELETED
        comment.participant = None
        comment.stance = None
        comment.reasons = []
        comment.likes_by_stance = {}
        comment.like_count = 0
        comment.report_count = 0
        comment.idempotency_key = ""
        comment.network_hash = ""
        comment.save()
        comment.revisions.all().delete()
        comment.likes.all().delete()
        comment.reports.all().delete()
        Appeal.objects.filter(comment=comment).delete()
    else:
        _delete_unanswered(comment)


def _delete_unanswered(comment: Comment) -> None:
    """Delete a comment nothing answers; then a deleted comment kept only for it
    goes too (and so on up), and an unpublished one kept as a placeholder may
    have lost its last visible reply."""
    answered = (comment.parent, comment.reply_to)
    comment.delete()
    for above in answered:
        if above is None:
            continue
        if above.status == Comment.Status.DELETED and not above.replies_to_it().exists():
            _delete_unanswered(above)
        else:
            sync_placeholder(above.pk)


def comment_delete(*, comment_id: int, participant: Participant | None) -> None:
    """Delete one's own comment at any time; its text leaves the database."""
    with transaction.atomic():
        comment = _own_comment(comment_id, participant, lock=True)
        comment_erase(comment)
        _bump(comment.debate_id)


def _visible_comment(comment_id: int, participant: Participant | None) -> Comment:
    comment = Comment.objects.select_related("debate").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PUBLISHED:
        raise Refused("not_found", "That comment does not exist or is not public.", status=404)
    return comment


def like_toggle(
    *, comment_id: int, participant: Participant | None, network_hash: str = ""
) -> tuple[Comment, bool, str | None]:
    """Like a comment, or take the like back; returns (comment, liked, new key)."""
    comment = _visible_comment(comment_id, participant)
    if participant is not None and comment.participant_id == participant.pk:
        raise Refused("own_comment", "You cannot like your own comment.", status=403)
    _refuse_if_banned(participant, network_hash)
    _rate_limit("action", f"p{participant.pk}" if participant else network_hash, settings.RATE_LIMIT_ACTIONS, "actions")
    new_key = None
    with transaction.atomic():
        if participant is None:
            participant, new_key = participant_create()
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        existing = Like.objects.filter(comment=comment, participant=participant).first()
        counts = dict(comment.likes_by_stance)
        if existing is not None:
            counts[existing.stance_key] = max(0, counts.get(existing.stance_key, 0) - 1)
            existing.delete()
            liked = False
        else:
            stance = _stance_of(comment.debate, participant)
            stance_key = stance.key if stance else "none"
            Like.objects.create(comment=comment, participant=participant, stance_key=stance_key)
            counts[stance_key] = counts.get(stance_key, 0) + 1
            liked = True
        comment.likes_by_stance = {k: v for k, v in counts.items() if v}
        comment.like_count = sum(comment.likes_by_stance.values())
        comment.save(update_fields=["like_count", "likes_by_stance"])
        _bump(comment.debate_id)
    return comment, liked, new_key


def report_create(
    *, comment_id: int, participant: Participant | None, reason: str, note: str = "", network_hash: str = ""
) -> tuple[Report, str | None]:
    """Report a comment once; enough distinct reports hide it until a moderator decides."""
    comment = _visible_comment(comment_id, participant)
    if reason not in Report.Reason.values:
        raise Refused("invalid", "Please choose a reason for your report.", fields={"reason": "unknown"})
    note = normalise_text(note)
    if len(note) > 500:
        raise Refused("invalid", "The note can be at most 500 characters.", fields={"note": "too long"})
    _refuse_if_banned(participant, network_hash)
    _rate_limit("action", f"p{participant.pk}" if participant else network_hash, settings.RATE_LIMIT_ACTIONS, "actions")
    if participant is not None and Report.objects.filter(comment=comment, participant=participant).exists():
        raise Refused("already_reported", "You have already reported this comment. Thank you.", status=409)
    new_key = None
    with transaction.atomic():
        if participant is None:
            participant, new_key = participant_create()
        try:
            with transaction.atomic():
                report = Report.objects.create(comment=comment, participant=participant, reason=reason, note=note)
        except IntegrityError:
            raise Refused(
                "already_reported", "You have already reported this comment. Thank you.", status=409
            ) from None
        Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        distinct = Report.objects.filter(comment=comment, resolved_at__isnull=True).count()
        if distinct >= settings.COMMENT_REPORTS_TO_HIDE:
            comment.refresh_from_db()
            if comment.status == Comment.Status.PUBLISHED:
                comment.status = Comment.Status.PENDING
                comment.reasons = sorted(set(comment.reasons) | {"reports"})
                comment.save(update_fields=["status", "reasons"])
                _bump(comment.debate_id)
    return report, new_key


def appeal_create(*, comment_id: int, participant: Participant | None, note: str) -> Appeal:
    """An author appeals a hold or a rejection of their own comment, once."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or participant is None or comment.participant_id != participant.pk:
        raise Refused("not_found", "That comment does not exist.", status=404)
    if comment.status not in (Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM):
        raise Refused("invalid", "Only a held or rejected comment can be appealed.", status=409)
    note = normalise_text(note)
    if not note or len(note) > 500:
        raise Refused("invalid", "Please explain in up to 500 characters.", fields={"note": "required"})
    try:
        with transaction.atomic():
            return Appeal.objects.create(comment=comment, note=note)
    except IntegrityError:
        raise Refused("already_appealed", "You have already appealed this decision.", status=409) from None


# ------------------------------------------------------------------------ poll


_ADD_TO_TALLY = prepared.Update(
    lambda option_id, day, added, removed: (
        DailyTally.objects.filter(option_id=option_id, day=day),
        {"added": F("added") + added, "removed": F("removed") + removed},
    ),
    [-1, prepared.A_DAY, -2, -3],
)


def _tally(option_id: int, *, added: int = 0, removed: int = 0) -> None:
    day = timezone.now().date()
    updated = _ADD_TO_TALLY(option_id, day, added, removed)
    if not updated:
        try:
            with transaction.atomic():
                DailyTally.objects.create(option_id=option_id, day=day, added=added, removed=removed)
        except IntegrityError:  # a concurrent vote created today's row first
            DailyTally.objects.filter(option_id=option_id, day=day).update(
                added=F("added") + added, removed=F("removed") + removed
            )


# A new key's ballot (nothing observes ballots' saves).
_NEW_BALLOT = prepared.Insert(
    lambda debate_id, participant_id, option_id, now, network_hash: Ballot(
        debate_id=debate_id,
        participant_id=participant_id,
        option_id=option_id,
        first_option_id=option_id,
        cast_at=now,
        updated_at=now,
        network_hash=network_hash,
    ),
    [-1, -2, -3, prepared.A_TIME, "\x00network"],
)


@dataclass
class VoteResult:
    ballot: Ballot
    changed: bool
    participant: Participant
    new_key: str | None
    # The poll's tally sums just after this vote, {option id: (net, removed)},
    # when the vote read them (``results.poll_counts`` takes them as they are).
    sums: dict | None = None
    # The participant sent the answer their ballot already held: nothing changed.
    unchanged: bool = False


# A vote commits without waiting for PostgreSQL to flush its log to disk
# (``synchronous_commit`` off, for the vote's own transaction only): under load
# a worker otherwise spends a third of each vote waiting for the flush. A crash
# of PostgreSQL or of its machine can lose the votes of its last fraction of a
# second (three times ``wal_writer_delay``, 0.6 s by default), each one whole,
# never half; the database stays consistent. SQLite's ``synchronous=NORMAL`` in
# WAL mode makes a like trade for every write, on a loss of power only. Comments,
# moderation and erasures keep the default: their loss would lose someone's
# text or decision, or bring back what someone had erased.
_RELAX_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)"


def _relax_commit() -> None:
    """Let the current transaction, a vote's, commit without waiting for the flush."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_RELAX_COMMIT)


# A new key's first ballot on PostgreSQL, in one statement and so one round trip
# instead of seven (BEGIN, the participant, the ballot, the tally, the version,
# COMMIT, then the sums): the commit relaxed (``_relax_commit``); the
# participant, unless a ban in force names the network; its ballot; today's
# tally; the debate's version; and the tally sums that the answer gives. The
# statement's parts read one snapshot, taken before it, so the sums lack this
# ballot, which the caller adds. The version reads the tally's part so that it
# runs after it: PostgreSQL runs the parts no query reads last to first, and
# every vote must lock the tally row before the debate's, or a change of mind
# (both tallies, then the debate) and a first vote deadlock.
_FIRST_BALLOT_POSTGRESQL = """
WITH relaxed AS (
    SELECT set_config('synchronous_commit', 'off', true)  -- _RELAX_COMMIT
), banned AS (
    SELECT 1 FROM debates_ban
    WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > %(now)s) AND network_hash = %(network)s
    LIMIT 1
), new_participant AS (
    INSERT INTO debates_participant (key_hash, created_at, last_seen_on)
    SELECT %(key_hash)s, %(now)s, %(today)s WHERE NOT EXISTS (SELECT 1 FROM banned)
    RETURNING id
), new_ballot AS (
    INSERT INTO debates_ballot
        (debate_id, participant_id, option_id, first_option_id, changes, cast_at, updated_at, network_hash)
    SELECT %(debate)s, id, %(option)s, %(option)s, 0, %(now)s, %(now)s, %(network_or_blank)s FROM new_participant
    RETURNING id, participant_id
), tally AS (
    INSERT INTO debates_dailytally (option_id, day, added, removed)
    SELECT %(option)s, %(day)s, 1, 0 FROM new_participant
    ON CONFLICT (option_id, day) DO UPDATE SET added = debates_dailytally.added + 1
    RETURNING 1
), version AS (
    UPDATE debates_debate SET version = version + 1
    WHERE id = %(debate)s AND EXISTS (SELECT 1 FROM tally)
    RETURNING 1
)
SELECT new_ballot.id, new_ballot.participant_id, sums.option_id, sums.net, sums.removed
FROM new_ballot CROSS JOIN relaxed LEFT JOIN (
    SELECT t.option_id, SUM(t.added - t.removed) AS net, SUM(t.removed) AS removed
    FROM debates_dailytally t JOIN debates_polloption o ON o.id = t.option_id
    WHERE o.debate_id = %(debate)s
    GROUP BY t.option_id
) sums ON TRUE
"""


def _first_ballot_postgresql(debate: Debate, option: PollOption, network_hash: str, now) -> VoteResult | None:
    key = new_key()
    params = {
        "key_hash": key_hash(key),
        "now": now,
        "today": timezone.localdate(now),
        "day": now.date(),
        "debate": debate.pk,
        "option": option.pk,
        "network": network_hash or None,  # no network matches no ban
        "network_or_blank": network_hash,
    }
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(_FIRST_BALLOT_POSTGRESQL, params)
        rows = cursor.fetchall()
    if not rows:
        return None  # a ban in force names the network
    ballot_id, participant_id = rows[0][:2]
    sums = {option_id: (int(net), int(removed)) for _, _, option_id, net, removed in rows if option_id is not None}
    net, removed = sums.get(option.pk, (0, 0))
    sums[option.pk] = (net + 1, removed)
    # The rows as inserted, from the prepared inserts' own builders.
    participant = _NEW_PARTICIPANT.build(params["key_hash"], now, params["today"])
    participant.pk = participant_id
    ballot = _NEW_BALLOT.build(debate.pk, participant_id, option.pk, now, network_hash)
    ballot.pk, ballot.participant, ballot.option, ballot.first_option = ballot_id, participant, option, option
    for row in (participant, ballot):
        row._state.adding = False
        row._state.db = connection.alias
    return VoteResult(ballot, False, participant, key, sums)


def vote_cast(
    *, debate: Debate, participant: Participant | None, option_key: str, network_hash: str = ""
) -> VoteResult:
    """Cast or change a ballot. One ballot per participant per poll, never counted twice."""
    option = next((o for o in debate.options.all() if o.key == option_key), None)
    if option is None:
        raise Refused("invalid", "Please choose one of the poll's options.", fields={"option": "unknown"})
    if not debate.is_poll_open():
        raise Refused("poll_closed", "This poll is closed.", status=403)
    # A new key's first ballot on PostgreSQL checks for bans in its own statement.
    one_statement = participant is None and connection.vendor == "postgresql"
    if not one_statement:
        _refuse_if_banned(participant, network_hash)
    if (
        settings.RATE_LIMITS
        and network_hash
        and (participant is None or not Ballot.objects.filter(debate=debate, participant=participant).exists())
    ):
        # Only new ballots count against the per-network cap; changing one's mind is free.
        _rate_limit("ballot-net", network_hash, settings.RATE_LIMIT_NEW_BALLOTS_NETWORK, "new votes from your network")
    now = timezone.now()
    if one_statement:
        result = _first_ballot_postgresql(debate, option, network_hash, now)
        if result is not None:
            return result
        _refuse_if_banned(None, network_hash)  # unless the ban has just ended: then vote below
    if participant is None:
        # A key made in this transaction has no ballot yet, and no other
        # request can know it: nothing to lock, look up or race against.
        with transaction.atomic():
            participant, new_key = participant_create()
            ballot = _NEW_BALLOT.create(debate.pk, participant.pk, option.pk, now, network_hash)
            ballot.option = ballot.first_option = option
            _tally(option.pk, added=1)
            _bump(debate.pk)
        return VoteResult(ballot, False, participant, new_key)
    new_key = None
    with transaction.atomic():
        _relax_commit()
        ballot = Ballot.objects.select_for_update().filter(debate=debate, participant=participant).first()
        if ballot is None:
            try:
                with transaction.atomic():
                    ballot = Ballot.objects.create(
                        debate=debate,
                        participant=participant,
                        option=option,
                        first_option=option,
                        cast_at=now,
                        updated_at=now,
                        network_hash=network_hash,
                    )
                _tally(option.pk, added=1)
                _bump(debate.pk)
                return VoteResult(ballot, False, participant, new_key)
            except IntegrityError:  # the same key voted twice at once; this one changes it
                ballot = Ballot.objects.select_for_update().get(debate=debate, participant=participant)
        if ballot.option_id == option.pk:
            return VoteResult(ballot, False, participant, new_key, unchanged=True)
        _tally(ballot.option_id, removed=1)
        _tally(option.pk, added=1)
        # The row is locked (select_for_update), so its change count is current.
        ballot.option = option
        ballot.changes += 1
        ballot.updated_at = now
        ballot.save(update_fields=["option", "changes", "updated_at"])
        _bump(debate.pk)
    return VoteResult(ballot, True, participant, new_key)


def vote_withdraw(*, debate: Debate, participant: Participant | None, relax: bool = True) -> bool:
    """Withdraw one's ballot; returns whether there was one.

    ``relax=False`` when the withdrawal is part of a larger transaction that
    must wait for the flush, an erasure's: the relaxation would cover it all.
    """
    if participant is None:
        return False
    with transaction.atomic():
        if relax:
            _relax_commit()
        ballot = Ballot.objects.select_for_update().filter(debate=debate, participant=participant).first()
        if ballot is None:
            return False
        _tally(ballot.option_id, removed=1)
        ballot.delete()
        _bump(debate.pk)
    return True
