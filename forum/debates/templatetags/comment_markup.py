"""The markup of the comment list, written by Python instead of the template engine.

A first page holds some 70 comments. Rendered through ``{% include %}`` with a
form or three each, they cost about 4 ms of template machinery apiece (a
variable lookup, a localisation and an escape per ``{{ }}``, a URL reversal per
``{% url %}``, a translation lookup per ``naturaltime``), which made the page
without a cache ten times slower than needed. Here each comment is a few string
formats: the URLs come from one reversal each, the time from one ``now``, and
each comment carries only its like form. Replying and reporting use one form
each for the whole page (in ``detail.html``), which the page's script moves
under a comment; without the script the Reply and Report links open a page of
their own.

Keep the markup in step with the pages that show the same things
(``report.html``, ``reply.html``, the common-ground panel).
"""

import datetime

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from ..reading import PAGE_PARAMS
from ..services import as_sentence, until_words

register = template.Library()


@register.filter
def sentence(text: str) -> str:
    """A moderator's words ending a sentence of the page: with a full stop, never two."""
    return as_sentence(text or "")


@register.filter
def until(ends) -> str:
    """When a ban ends, in the words of every ban message: "until 7 December 2026, 21:44 UTC" or "permanently"."""
    return until_words(ends)


@register.simple_tag(takes_context=True)
def return_query(context) -> str:
    """The query string (with its "?") of the page to come back to after an action:
    its sort, stance and page as the page read them (``CommentPage``), so that a
    page shared by every reader carries no one's made-up values; elsewhere the
    request's ``PAGE_PARAMS``, not one-time notices (``?restored=1``, ``?deleted=1``)."""
    page = context.get("comments")
    if page is not None:
        kept = QueryDict(mutable=True)
        for name, value, default in (
            ("sort", page.sort, "newest"),
            ("stance", page.stance, ""),
            ("page", page.page, 1),
        ):
            if value != default:
                kept[name] = str(value)
    else:
        kept = context["request"].GET.copy()
        for name in list(kept):
            if name not in PAGE_PARAMS:
                del kept[name]
    return f"?{kept.urlencode()}" if kept else ""


_NBSP = "\xa0"


def _url_format(name: str, *, args=()) -> str:
    """A URL with ``{}`` where the comment's id goes, from a single reversal."""
    return reverse(name, args=[*args, 999999999]).replace("999999999", "{}")


def _plural(count: int, unit: str) -> str:
    return f"{count}{_NBSP}{unit}{'' if count == 1 else 's'}"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_UNITS = ("year", "month", "week", "day", "hour", "minute")
_CHUNKS = (7 * 24 * 3600, 24 * 3600, 3600, 60)


def _since(value: datetime.datetime, now: datetime.datetime) -> str:
    """``django.utils.timesince.timesince`` in English, without a translation lookup per unit."""
    months = (now.year - value.year) * 12 + (now.month - value.month)
    if value.day > now.day or (value.day == now.day and value.time() > now.time()):
        months -= 1
    years, months = divmod(months, 12)
    pivot = value
    if years or months:
        year, month = value.year + years, value.month + months
        if month > 12:
            year, month = year + 1, month - 12
        pivot = value.replace(year=year, month=month, day=min(_MONTH_DAYS[month - 1], value.day), microsecond=0)
    remaining = (now - pivot).total_seconds()
    parts = [years, months]
    for chunk in _CHUNKS:
        count = int(remaining // chunk)
        parts.append(count)
        remaining -= chunk * count
    first = next((i for i, count in enumerate(parts) if count), None)
    if first is None:
        return _plural(0, "minute")
    shown = [_plural(parts[first], _UNITS[first])]
    if first + 1 < len(parts) and parts[first + 1]:
        shown.append(_plural(parts[first + 1], _UNITS[first + 1]))
    return ", ".join(shown)


def ago(value: datetime.datetime, now: datetime.datetime) -> str:
    """What ``naturaltime`` says of a past time, in English, at a fraction of its cost."""
    if value >= now:
        return "now"
    delta = now - value
    if delta.days:
        return _since(value, now) + " ago"
    seconds = delta.seconds
    if seconds == 0:
        return "now"
    if seconds < 60:
        return "a second ago" if seconds == 1 else f"{seconds}{_NBSP}seconds ago"
    if seconds < 3600:
        minutes = seconds // 60
        return "a minute ago" if minutes == 1 else f"{minutes}{_NBSP}minutes ago"
    hours = seconds // 3600
    return "an hour ago" if hours == 1 else f"{hours}{_NBSP}hours ago"


def stance_bar_html(bar) -> str:
    """Who liked a comment, by their vote: a bar and a line of counts (nothing below the threshold)."""
    if not bar:
        return ""
    rects, counts = [], []
    for row in bar:
        css = f"stance-{row['position']}{' no-vote' if row['key'] == 'none' else ''}"
        rects.append(f'<rect class="bar {css}" x="{row["x"]}" y="0" width="{row["width"]}" height="4"></rect>')
        counts.append(
            f'<span class="nowrap"><span class="swatch {css}" aria-hidden="true"></span>'
            f"{escape(row['label'])} {row['count']}</span>"
        )
    return (
        '<div class="stance-bar">'
        '<svg viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f"{''.join(rects)}</svg>"
        f'<p class="muted small">Liked by readers who voted: {" · ".join(counts)}</p></div>'
    )


# What the placeholder of a hidden comment says, by its status.
REMOVED_TEXT = {
    "pending": "This comment is hidden until a moderator reviews it.",
    "rejected": "This comment was removed by a moderator.",
    "spam": "This comment was removed by a moderator.",
}


class _Page:
    """What every comment of one render shares: URLs, the time, the viewer's request values."""

    def __init__(self, context):
        debate = context["debate"]
        self.tz = timezone.get_current_timezone()
        self.csrf_token = escape(str(context.get("csrf_token", "")))
        self.return_query = escape(return_query(context))
        self.comments_open = debate.comments_open
        # A banned reader is offered no action the ban refuses; deleting stays theirs, and
        # editing too when only their network is blocked (an edit refuses only one's own ban).
        ban = context.get("ban")
        self.banned = ban is not None
        self.edits_refused = ban is not None and ban.own
        self.comment_notice = context.get("comment_notice") or (None, "", "")
        self.like_url = _url_format("debates:comment-like")
        self.reply_url = _url_format("debates:comment-reply")
        self.report_url = _url_format("debates:comment-report")
        self.edit_url = _url_format("debates:comment-edit")
        self.delete_url = _url_format("debates:comment-delete")
        self.status_url = _url_format("moderation-public:comment-status")

    def comment(self, c, out: list[str]) -> None:
        pk = c.pk
        removed = getattr(c, "removed", False)  # a hidden comment's placeholder (``reading.comment_page``)
        pending = c.status == "pending" and not removed
        # A placeholder has no author's name to be labelled by.
        label = 'aria-label="A comment no longer shown"' if c.is_deleted or removed else f'aria-labelledby="c{pk}-by"'
        classes = f"comment depth-{c.depth}{' is-pending' if pending else ''}"
        out.append(f'<li class="{classes}" id="c{pk}"><article {label}>')
        if c.is_deleted:
            out.append('<p class="deleted">This comment was deleted.</p>')
        elif removed:
            out.append(f'<p class="deleted">{REMOVED_TEXT[c.status]}')
            if getattr(c, "is_mine", False):
                out.append(f' <a href="{self.status_url.format(pk)}">Why, and how to appeal</a>')
            out.append("</p>")
        else:
            self._shown(c, pk, pending, out)
        notice_for, notice_id, notice = self.comment_notice
        if pk == notice_for:  # a report's thanks stays where it was sent, even when the report hid the comment
            out.append(f'<p class="notice" role="status" id="{notice_id}">{escape(notice)}</p>')
        out.append("</article>")
        if c.replies:
            out.append('<ol class="comment-list replies">')
            for reply in c.replies:
                self.comment(reply, out)
            out.append("</ol>")
        out.append("</li>")

    def _shown(self, c, pk, pending, out):
        stance = c.stance
        local = c.created_at.astimezone(self.tz).replace(microsecond=0)  # as ECMAScript's Date.parse reads it
        # The date and time, never "5 minutes ago": readers without a key share
        # one copy of the page until the debate changes. The script says how long ago.
        when = f"{local.day}{_NBSP}{local:%b %Y, %H:%M} {local.tzname()}"
        created = local.isoformat()
        out.append(
            f'<header class="comment-meta"><span class="author" id="c{pk}-by">{escape(c.author_name)}</span> '
            + (
                f'<span class="badge stance-{stance.position}" title="Voted: {escape(stance.label)}">'
                f"{escape(stance.label)}</span> "
                if stance
                else ""
            )
            + f'<a class="when" href="#c{pk}"><time class="js-ago" datetime="{created}">{when}</time></a>'
            + _answering(c)
            + (' <span class="muted">· edited</span>' if c.edited_at else "")
            + (
                f' <a class="badge badge-pending" href="{self.status_url.format(pk)}">'
                "Awaiting moderation: only you can see it. Why?</a>"
                if pending
                else ""
            )
            + f'</header><div class="comment-body">{c.body_html}</div>'
            + stance_bar_html(c.stance_bar)
            + '<footer class="comment-actions">'
        )
        mine = getattr(c, "is_mine", False)
        likes = c.like_count
        if c.status == "published" and self.banned:
            out.append(
                f'<span class="likes">♥ {likes}'
                f'<span class="visually-hidden"> like{"" if likes == 1 else "s"}</span></span> '
            )
        elif c.status == "published":
            liked = getattr(c, "liked", False)
            out.append(
                f'<form method="post" action="{self.like_url.format(pk)}" class="inline-form js-inplace">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf_token}">'
                f'<input type="hidden" name="return_query" value="{self.return_query}">'
                '<button type="submit" class="link-button like-button"'
                + (' disabled title="You cannot like your own comment"' if mine else "")
                + f' aria-pressed="{"true" if liked else "false"}"'
                f' aria-label="{likes} like{"" if likes == 1 else "s"}: {"unlike" if liked else "like"} this comment">'
                f"♥ {likes}</button></form> "
            )
            if self.comments_open:
                out.append(f'<a class="reply-link" href="{self.reply_url.format(pk)}">Reply</a> ')
            if getattr(c, "reported", False):
                out.append('<span class="muted">Reported by you</span> ')
            elif not mine:
                out.append(f'<a class="report-link" href="{self.report_url.format(pk)}">Report</a> ')
        if getattr(c, "can_edit", False) and not self.edits_refused:
            out.append(f'<a href="{self.edit_url.format(pk)}">Edit</a> ')
        if mine:
            out.append(f'<a href="{self.delete_url.format(pk)}">Delete</a>')
        out.append("</footer>")


def _answering(c) -> str:
    """Whom a reply to the deepest level answers, beside which it hangs: the
    comment listed on the page (its placeholder, if it went), or none shown."""
    if not hasattr(c, "answering"):
        return ""  # not a reply beside another, or not read with its thread
    answered = c.answering
    if answered is None:
        whom = "a comment no longer shown"
    elif answered.is_deleted:
        whom = f'<a href="#c{answered.pk}">a deleted comment</a>'
    elif getattr(answered, "removed", False):
        whom = f'<a href="#c{answered.pk}">a removed comment</a>'
    else:
        # The name isolated from the sentence around it, as the author's own is.
        whom = f'<a href="#c{answered.pk}"><bdi>{escape(answered.author_name)}</bdi></a>'
    return f' <span class="replying-to">replying to {whom}</span>'


@register.simple_tag(takes_context=True)
def comment_list(context, comments) -> SafeString:
    """The ``<li>`` of each comment and its replies (``comments``: from ``reading.comment_page``)."""
    page = _Page(context)
    out: list[str] = []
    for c in comments:
        page.comment(c, out)
    return SafeString("".join(out))


@register.simple_tag
def stance_bar(bar) -> SafeString:
    return SafeString(stance_bar_html(bar))
