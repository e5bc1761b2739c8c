"""Content models of the public side: debates, polls, participants, comments.

Writes that touch several rows live in ``services.py``; reads live in the
QuerySet methods below.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from forum.lib import prepared
from forum.lib.markdown import render_summary


class DebateQuerySet(models.QuerySet):
    def listed(self):
        """Debates in display order, with their poll options in one extra query."""
        return self.order_by("-featured", "-created_at").prefetch_related("options")

    def featured(self):
        """The debate shown at ``/``: the featured one, else the newest."""
        return self.listed().first()


ANONYMOUS = "Anonymous"  # the name of a comment signed with none


class Debate(models.Model):
    class ResultsVisibility(models.TextChoices):
        AFTER_VOTE = "after_vote", "After the reader has voted"
        ALWAYS = "always", "Always"
        AFTER_CLOSE = "after_close", "Only once the poll is closed"

    class Premoderation(models.TextChoices):
        NONE = "none", "None: clean comments publish at once"
        FIRST = "first", "A participant's first comment"
        ALL = "all", "Every comment"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="Markdown, written in our own words.")
    # The summary as HTML, rendered when the summary is saved, not on every page.
    summary_html = models.TextField(blank=True, editable=False)
    source_name = models.CharField(max_length=120)
    source_title = models.CharField(max_length=300, blank=True)
    source_date = models.DateField()
    source_url = models.URLField(max_length=500)
    question = models.CharField(max_length=500)
    featured = models.BooleanField(default=False)
    comments_open = models.BooleanField(default=True)
    poll_open = models.BooleanField(default=True)
    poll_closes_at = models.DateTimeField(null=True, blank=True)
    results_visibility = models.CharField(
        max_length=12, choices=ResultsVisibility.choices, default=ResultsVisibility.AFTER_VOTE
    )
    premoderation = models.CharField(max_length=8, choices=Premoderation.choices, default=Premoderation.NONE)
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped by every write that changes what readers see; part of every cache key.
    version = models.PositiveBigIntegerField(default=1)
    # Kept by every save and deletion of a comment, in its transaction
    # (``Comment.save``), so that no page counts the debate's comments: the
    # threads listed to everyone (published or placeholders, top level), the
    # published comments, and for the moderation queue's tabs the held,
    # rejected and spam ones (``KEPT_COUNTS``). ``recount_comments`` sets them
    # from the rows.
    thread_count = models.IntegerField(default=0, editable=False)
    comment_count = models.IntegerField(default=0, editable=False)
    pending_count = models.IntegerField(default=0, editable=False)
    rejected_count = models.IntegerField(default=0, editable=False)
    spam_count = models.IntegerField(default=0, editable=False)

    objects = DebateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "summary" in update_fields:
            self.summary_html = render_summary(self.summary)
        if update_fields is not None and "summary" in update_fields:
            kwargs["update_fields"] = {*update_fields, "summary_html"}
        elif update_fields is None and not self._state.adding:
            # Never write back the comment counts read with the debate: comments
            # may have changed them since.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in KEPT_COUNTS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("debates:detail", args=[self.slug])

    def recount_comments(self) -> None:
        """Set the placeholders and the comment counts from the rows, after an
        import with ``bulk_create`` (which saves no comment one by one, so moves
        no count and makes no placeholder)."""
        comments = Comment.objects.filter(debate=self)
        comments.filter(status=Comment.Status.PUBLISHED, placeholder=True).update(placeholder=False)
        # Two EXISTS, not one with an OR: PostgreSQL can use an index for each,
        # where the OR made it scan every comment for every row (minutes at 100,000).
        listed_reply = Exists(Comment.objects.filter(Comment.LISTED_Q, parent=OuterRef("pk"))) | Exists(
            Comment.objects.filter(Comment.LISTED_Q, reply_to=OuterRef("pk"))
        )
        for depth in range(Comment.MAX_DEPTH, -1, -1):  # deepest first: a placeholder lists its parent
            unpublished = comments.filter(depth=depth, status__in=Comment.UNPUBLISHED)
            # Until nothing changes: at the last level a placeholder can list the one it answers.
            while unpublished.exclude(placeholder=listed_reply).update(placeholder=listed_reply):
                pass
        counts = comments.aggregate(
            **{
                name: Count(
                    "pk",
                    filter=(Q(status__in=statuses) | Q(placeholder=True) if placeholders else Q(status__in=statuses))
                    & Q(**({"depth": 0} if top_level else {})),
                )
                for name, (statuses, placeholders, top_level) in KEPT_COUNTS.items()
            }
        )
        Debate.objects.filter(pk=self.pk).update(**counts)
        for name, value in counts.items():
            setattr(self, name, value)

    def is_poll_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.poll_open and (self.poll_closes_at is None or now < self.poll_closes_at)

    def cache_key(self, kind: str, *parts) -> str:
        """The cache key of something computed from this debate for every reader.

        It changes with the debate's version (every write bumps it); with
        whether the poll is open, which changes at a set time without a new
        version; and with the code (``CODE_VERSION``), so that a deploy never
        serves what the previous release rendered. The creation time tells this
        debate from one made again under the same id and version (a restored
        database, or every test).
        """
        born = int(self.created_at.timestamp() * 1_000_000)
        state = "open" if self.is_poll_open() else "closed"
        fixed = [kind, settings.CODE_VERSION, str(self.pk), str(born), str(self.version), state]
        return ":".join([*fixed, *(str(p) for p in parts)])


class PollOption(models.Model):
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["debate", "key"], name="option_key_unique_per_debate")]

    def __str__(self):
        return self.label


class Participant(models.Model):
    """A pseudonymous reader behind a secret key; only the key's hash is stored."""

    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Day precision on purpose: enough for the inactivity purge, not a trail.
    last_seen_on = models.DateField(default=timezone.localdate)

    def __str__(self):
        return f"Participant {self.pk}"


class BanQuerySet(models.QuerySet):
    def active(self, now=None):
        """Bans in force now: not lifted and not yet expired."""
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Ban(models.Model):
    """A ban of a participant and, for its duration, of its keyed network hash."""

    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="bans")
    network_hash = models.CharField(max_length=32, blank=True, db_index=True)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty means permanent.")
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = BanQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | ~Q(network_hash=""), name="ban_has_a_target"
            )
        ]

    def __str__(self):
        return f"Ban {self.pk}"


class Ballot(models.Model):
    """One participant's current choice in one poll."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="ballots")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ballots")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="ballots")
    first_option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="+")
    changes = models.PositiveIntegerField(default=0)
    cast_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Keyed hash of the voter's network prefix, kept only to spot and undo a
    # burst; cleared by purge_expired_data after RETENTION_NETWORK_HASH_HOURS.
    network_hash = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debate", "participant"], name="one_ballot_per_participant_per_poll")
        ]
        indexes = [models.Index(fields=["debate", "option"])]


class DailyTally(models.Model):
    """Ballots added to and removed from an option on one UTC day.

    Aggregates only, never linked to a participant: the share-over-time chart
    and the timeseries export read these rows, and a changed or withdrawn vote
    shows as a removal, so the running sum always equals the current count.
    """

    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="tallies")
    day = models.DateField()
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["option", "day"], name="one_tally_per_option_per_day")]
        ordering = ["day"]


class CommentQuerySet(models.QuerySet):
    def visible_to(self, participant):
        """Published comments, plus the viewer's own pending ones, plus the
        placeholders of unpublished comments that visible replies hang on."""
        shown = Comment.LISTED_Q
        if participant is not None:
            shown |= Q(participant=participant, status=Comment.Status.PENDING)
        return self.filter(shown)

    def public(self):
        return self.filter(status=Comment.Status.PUBLISHED)


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Awaiting moderation"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"
        DELETED = "deleted", "Deleted by its author"

    MAX_DEPTH = 3
    # Listed to everyone: a published comment whole; any other only as a text-less
    # placeholder (``placeholder``), while a visible reply hangs on it.
    LISTED_Q = Q(status=Status.PUBLISHED) | Q(placeholder=True)
    UNPUBLISHED = (Status.PENDING, Status.REJECTED, Status.SPAM, Status.DELETED)
    HIDDEN = (Status.PENDING, Status.REJECTED, Status.SPAM)  # held or taken down, not deleted

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="comments")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    # The top-level comment of the thread: itself for a top-level comment, which
    # the database sets as it inserts one (a trigger, migration 0010).
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    # The comment a reply answers when that one is at the deepest level: the
    # reply then hangs beside it, under its parent, and says whom it answers.
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=40, default=ANONYMOUS)
    stance = models.ForeignKey(PollOption, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    reasons = models.JSONField(default=list, blank=True, help_text="Reason codes from screening or moderation.")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    # Likes counted under the stance of the reader who gave each ({"key": n},
    # "none" for readers without a vote), kept in the like's transaction.
    likes_by_stance = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    # Keyed hash of the author's network prefix, so that a ban can cover the
    # network a commenter posts from; cleared after RETENTION_NETWORK_HASH_HOURS.
    network_hash = models.CharField(max_length=32, blank=True)
    # An unpublished comment (held, rejected, spam or deleted) under which
    # visible replies hang is listed to everyone as a placeholder without its
    # text, so that taking one comment down, or deleting it, does not take the
    # replies to it down too. Kept by ``save`` whenever the comment's or a
    # reply's listing changes.
    placeholder = models.BooleanField(default=False, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["debate", "status", "depth", "-created_at"]),
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["status", "decided_at"]),
            # A page of a debate's threads, newest or oldest first, read in order off the
            # index (published comments and placeholders are both listed, so the status
            # cannot lead the index).
            models.Index(fields=["debate", "depth", "-created_at", "-id"]),
            # The pending tab of the queue, oldest first, read straight off the index.
            models.Index(fields=["status", "created_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lte=3), name="comment_depth_at_most_three"),
            models.UniqueConstraint(
                fields=["participant", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="comment_idempotency_key_unique",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk}"

    def save(self, *args, **kwargs):
        """Save, and when the status changes keep the debate's comment counts
        and the placeholders: this comment's, and its parent's when this one
        comes into or goes out of the listing."""
        update_fields = kwargs.get("update_fields")
        counts = update_fields is None or not {"status", "placeholder"}.isdisjoint(update_fields)
        before = None
        if counts and not self._state.adding:
            before = (getattr(self, "_stored_status", _UNREAD), getattr(self, "_stored_placeholder", _UNREAD))
            if _UNREAD in before:
                before = Comment.objects.filter(pk=self.pk).values_list("status", "placeholder").first()
            if before is not None and before[0] != self.status:
                placeholder = self.status in self.UNPUBLISHED and self.has_listed_reply()
                if placeholder != self.placeholder:
                    self.placeholder = placeholder
                    if update_fields is not None:
                        kwargs["update_fields"] = {*update_fields, "placeholder"}
        inserting = self._state.adding
        super().save(*args, **kwargs)
        if inserting and self.thread_id is None and self.depth == 0:
            self.thread_id = self.pk  # as the database set it (migration 0010)
        if counts:
            after = (self.status, self.placeholder)
            count_change(self.debate_id, self.depth, before, after)
            self._stored_status, self._stored_placeholder = after
            # After the counts: their UPDATE of the debate row waits for any other
            # status change in the debate, so the parent is read as it was committed
            # (not as a reply's poster read it before a moderator took it down).
            if _listed(before) != _listed(after):
                for answered in {self.parent_id, self.reply_to_id} - {None}:
                    sync_placeholder(answered)
            if before is not None and before[0] != self.status and self.status in self.UNPUBLISHED:
                # Read again now that the counts' UPDATE holds the debate row: a
                # reply taken down meanwhile may have committed since the first read.
                placeholder = self.has_listed_reply()
                if placeholder != self.placeholder:
                    self.placeholder = placeholder
                    self.save(update_fields=["placeholder"])

    @classmethod
    def from_db(cls, db, field_names, values):
        comment = super().from_db(db, field_names, values)
        comment._stored_status = comment.__dict__.get("status", _UNREAD)
        comment._stored_placeholder = comment.__dict__.get("placeholder", _UNREAD)
        return comment

    def replies_to_it(self) -> models.QuerySet:
        """The replies hanging on this comment, and those that answer it from
        beside it (``reply_to``, below the last level): either kind keeps a
        placeholder in its place when it goes, so the conversation stays readable."""
        return Comment.objects.filter(Q(parent=self.pk) | Q(reply_to=self.pk))

    def has_listed_reply(self) -> bool:
        return self.replies_to_it().filter(self.LISTED_Q).exists()

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    def is_visible_to(self, participant) -> bool:
        """``CommentQuerySet.visible_to`` for a comment already read."""
        return self.status == self.Status.PUBLISHED or self.placeholder or self.is_own_held(participant)

    def is_own_held(self, participant) -> bool:
        """Whether this is the viewer's own comment awaiting moderation, which they see whole."""
        return participant is not None and self.participant_id == participant.pk and self.status == self.Status.PENDING


_UNREAD = object()  # a status not read from the database (deferred)


def _listed(state) -> bool:
    """Whether a comment in this (status, placeholder) state is listed to everyone."""
    return state is not None and (state[0] == Comment.Status.PUBLISHED or state[1])


def sync_placeholder(comment_id: int) -> None:
    """Make an unpublished comment a placeholder while visible replies hang on
    it, and no longer one once none do; its own parent follows through ``save``."""
    comments = Comment.objects.only("debate", "parent", "depth", "status", "placeholder")
    comment = comments.filter(pk=comment_id, status__in=Comment.UNPUBLISHED).first()
    if comment is None:
        return
    placeholder = comment.has_listed_reply()
    if placeholder != comment.placeholder:
        comment.placeholder = placeholder
        comment.save(update_fields=["placeholder"])


# The counts kept on the debate row: which statuses each counts, whether
# placeholders count too, and whether only top-level comments (a thread) or all.
KEPT_COUNTS = {
    "thread_count": ((Comment.Status.PUBLISHED,), True, True),
    "comment_count": ((Comment.Status.PUBLISHED,), False, False),
    "pending_count": ((Comment.Status.PENDING,), False, False),
    "rejected_count": ((Comment.Status.REJECTED,), False, False),
    "spam_count": ((Comment.Status.SPAM,), False, False),
}

# Every status change of a comment moves the debate's counts in one prepared
# UPDATE, which also bumps the debate's version: what readers see has changed.
_ADD_COUNTS = prepared.Update(
    lambda pk, *deltas: (
        Debate.objects.filter(pk=pk),
        {"version": F("version") + 1, **{name: F(name) + d for name, d in zip(KEPT_COUNTS, deltas, strict=True)}},
    ),
    [-999_990, *(-999_991 - i for i in range(len(KEPT_COUNTS)))],
)


def _counted(state, depth: int) -> list[int]:
    """What one comment in this (status, placeholder) state adds to each kept
    count (nothing when ``state`` is None)."""
    if state is None:
        return [0] * len(KEPT_COUNTS)
    status, placeholder = state
    return [
        int((status in statuses or (placeholders and placeholder)) and (depth == 0 or not top_level))
        for statuses, placeholders, top_level in KEPT_COUNTS.values()
    ]


def count_change(debate_id: int, depth: int, before, after) -> None:
    """Move the debate's counts for a comment going from state ``before`` to
    ``after``, each a (status, placeholder) pair or None (not there), and bump
    its version, in the caller's transaction."""
    deltas = [a - b for a, b in zip(_counted(after, depth), _counted(before, depth), strict=True)]
    if any(deltas):
        _ADD_COUNTS(debate_id, *deltas)


@receiver(post_delete, sender="debates.Comment")
def _uncount_deleted_comment(sender, instance, **kwargs):
    """A deleted row (one's own comment, a placeholder, a cascade) leaves the counts."""
    count_change(instance.debate_id, instance.depth, (instance.status, instance.placeholder), None)


class CommentRevision(models.Model):
    """An earlier version of an edited comment, for moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]


class Like(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="likes")
    stance_key = models.CharField(max_length=40, default="none")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "participant"], name="one_like_per_participant")]


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Harassment or abuse"
        PERSONAL_INFO = "personal_info", "Shares personal information"
        OFF_TOPIC = "off_topic", "Off topic"
        ILLEGAL = "illegal", "Illegal content"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "participant"], name="one_report_per_participant")]
        # Open reports (the queue's "Reported" tab) without a scan of the comments.
        indexes = [models.Index(fields=["resolved_at", "comment"])]


class Appeal(models.Model):
    """An author's single appeal against a hold or a rejection."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="appeal")
    note = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)


class NetworkPepper(models.Model):
    """The secret that keys network-prefix hashes during one rotation period.

    Deleting an old pepper makes every hash made with it unlinkable to any
    network, which is how network hashes expire even where a copy survives.
    """

    period = models.PositiveBigIntegerField(unique=True)
    secret = models.BinaryField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)


class Erasure(models.Model):
    """A record that an erasure was carried out: counts and a time, no content."""

    erased_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)


class WordRule(models.Model):
    """A moderator-edited word for automatic screening; ``*`` is a wildcard."""

    class Action(models.TextChoices):
        REJECT = "reject", "Banned: reject"
        HOLD = "hold", "Suspect: hold for review"

    pattern = models.CharField(max_length=100)
    action = models.CharField(max_length=8, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "pattern"]
        constraints = [models.UniqueConstraint(fields=["pattern", "action"], name="word_rule_unique")]

    def __str__(self):
        return self.pattern
