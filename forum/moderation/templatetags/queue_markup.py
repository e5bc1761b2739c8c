"""The items of the moderation queue, written by Python instead of the template engine.

A queue page shows 25 comments, each with its author's history, reports, edit
history and three forms. Through the template engine that was some 1,200
variable lookups, escapes and localisations a page, most of the queue's time
(as the comment list of the debate page was, see ``comment_markup``). Here
each item is a few string formats over values the view prepared
(``views.queue.render_queue``: ids, URLs, the reason options).
"""

import html
import re

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator, normalize_newlines

from forum.debates.templatetags.comment_markup import REMOVED_TEXT, ago

from ..forms import BAN_SCOPES, NETWORK_BAN_NOTE
from .moderation import reason_badges

register = template.Library()


# A tag of the sanitised HTML that comments are stored as, quoted attributes included.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def _plain(body_html: str) -> str:
    """A comment's text as readers see it, without its markup or line breaks: for
    a quote of one line. (``strip_tags`` took 0.3 ms a comment; this, 0.02.)"""
    return " ".join(html.unescape(_TAG.sub("", body_html)).split())


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(value) -> str:
    """``django.utils.html.escape`` (the same text) without its check of every
    argument for a lazy string, which cost a millisecond over the 500 or so
    escapes of a queue page."""
    return html.escape(str(value))


def _radios(name: str, choices) -> str:
    """A ban form's radio buttons for ``choices``, the first one checked."""
    return " ".join(
        f'<label class="radio"><input type="radio" name="{name}" value="{escape(value)}"'
        f"{' checked' if i == 0 else ''}> {escape(text)}</label>"
        for i, (value, text) in enumerate(choices)
    )


# Whom the ban blocks: the same for every item and request.
_SCOPE_RADIOS = _radios("scope", BAN_SCOPES)


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


class _Queue:
    """What every item of one render shares."""

    def __init__(self, context):
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.csrf = (
            '<input type="hidden" name="csrfmiddlewaretoken" value="'
            + escape(str(context.get("csrf_token", "")))
            + '">'
        )
        self.here = escape(context["here"])
        self.tab = context["queue"].tab
        self.selected = context.get("selected") or set()
        self.debate_links = {}
        self.ban_durations = _radios("duration", context["ban_durations"])

    def _date(self, value, *, time: bool = False) -> str:
        """What the ``date`` filter gives with "j M Y" (and " H:i" with ``time``),
        in English like the rest of the site, without its translation lookups."""
        local = value.astimezone(self.tz)
        day = f"{local.day} {_MONTHS[local.month - 1]} {local.year}"
        return f"{day} {local:%H:%M}" if time else day

    def _debate_link(self, item) -> str:
        """The link to the item's debate, made once per debate of the page."""
        link = self.debate_links.get(item.debate_id)
        if link is None:
            title = item.debate.title
            url = item.debate.get_absolute_url()
            link = self.debate_links[item.debate_id] = (
                f'<a href="{escape(url)}" title="{escape(title)}">{escape(Truncator(title).words(8))}</a>'
            )
        return link

    def item(self, item, out: list[str]) -> None:
        ref = item.ref
        local_created = item.created_at.astimezone(self.tz)
        out.append(
            f'<li class="queue-item card" id="item-{ref}" tabindex="-1" data-item="{ref}">'
            f'<article aria-labelledby="item-{ref}-title"><header class="queue-meta">'
            f'<label class="select-item"><input type="checkbox" name="ids" value="{ref}" form="bulk" data-select'
            f"{' checked' if ref in self.selected else ''}>"
            f'<span class="visually-hidden">Select comment #{ref}</span></label>'
            f'<h2 id="item-{ref}-title" class="queue-title"><span class="author">{escape(item.author_name)}</span>'
            f' <span class="muted">· comment #{ref}</span></h2>'
        )
        if item.stance:
            out.append(f' <span class="badge stance-{item.stance.position}">{escape(item.stance.label)}</span>')
        out.append(
            f' <span class="badge badge-status status-{escape(item.status)}">{escape(item.get_status_display())}</span>'
            f' <span class="muted">in {self._debate_link(item)},'
            f' <time datetime="{local_created.isoformat()}">{ago(item.created_at, self.now)}</time>'
            f"{' · edited' if item.edited_at else ''}</span></header>"
        )
        if item.answers:
            parent = item.answers
            if parent.status == "deleted" or not parent.body:
                out.append('<p class="muted in-reply">In reply to a deleted comment.</p>')
            else:
                out.append(
                    '<p class="muted in-reply">In reply to '
                    f"{escape(parent.author_name)}: “{escape(Truncator(_plain(parent.body_html)).chars(120))}”</p>"
                )
        out.append(f'<div class="comment-body">{item.body_html}</div>')
        if item.reasons:  # on a comment decided since, why it was held once: history, not a verdict
            why = "Held for:" if item.status == "pending" else "Was flagged for:"
            out.append(f'<p class="reasons"><span class="muted">{why}</span> {reason_badges(item.reasons)}</p>')
        self._listed_replies(item, out)
        if item.appeal_open:
            appeal = item.appeal_open
            out.append(
                '<div class="appeal notice"><strong>Appeal</strong>'
                f' <span class="muted">({ago(appeal.created_at, self.now)})</span>: {escape(appeal.note)}</div>'
            )
        self._reports(item, out)
        self._revisions(item, out)
        self._history(item, out)
        self._actions(item, out)
        out.append("</article></li>")

    def _listed_replies(self, item, out):
        """Replies readers see to the comment keep a placeholder in its place."""
        n = item.listed_replies
        if not n:
            return
        replies = f"{n} repl{'y' if n == 1 else 'ies'} to it {'is' if n == 1 else 'are'} shown"
        if item.status == "published":
            text = f"{replies}: taken down, it leaves “{REMOVED_TEXT['rejected']}” in its place."
        else:
            shown = REMOVED_TEXT.get(item.status, "This comment was deleted.")
            text = f"Readers see “{shown}” in its place: {replies}."
        out.append(f'<p class="muted listed-replies">{text}</p>')

    def _reports(self, item, out):
        reports = item.report_list
        if not reports:
            return
        open_count = len(item.open_reports)
        out.append(
            f'<details class="reports"{" open" if open_count else ""}>'
            f"<summary>{len(reports)} report{_plural(len(reports))}"
            f"{f' ({open_count} open)' if open_count else ''}</summary><ul>"
        )
        for report in reports:
            # Isolated: a reader's note may hold direction controls that would reorder what follows it.
            note = f": “<bdi>{escape(report.note)}</bdi>”" if report.note else ""
            out.append(
                f"<li>{escape(report.get_reason_display())}{note}"
                f' <span class="muted">{ago(report.created_at, self.now)}'
                f"{' · closed' if report.resolved_at else ''}</span></li>"
            )
        out.append("</ul></details>")

    def _revisions(self, item, out):
        revisions = item.revision_list
        if not revisions:
            return
        out.append(
            '<details class="revisions">'
            f"<summary>Edit history ({len(revisions)} earlier version{_plural(len(revisions))})</summary><ol>"
        )
        for revision in revisions:
            body = escape(normalize_newlines(revision.body)).replace("\n", "<br>")  # ``linebreaksbr``
            out.append(
                f'<li><span class="muted">Until {self._date(revision.created_at, time=True)}:</span>'
                f"<blockquote>{body}</blockquote></li>"
            )
        out.append("</ol></details>")

    def _history(self, item, out):
        h = item.history
        if h is None:
            out.append('<p class="muted">The author erased their data.</p>')
            return
        first_seen = self._date(h.first_seen) if h.first_seen else ""
        ban = ""
        if h.ban:
            until = f"until {self._date(h.ban.expires_at, time=True)} UTC" if h.ban.expires_at else "permanently"
            ban = f' <strong class="banned">Banned {until}.</strong>'
        out.append(
            f'<div class="history"><p><a href="{escape(item.participant_url)}">Participant #{item.author_ref}</a>:'
            f" first seen {first_seen};"
            f" {h.total} comment{_plural(h.total)}, {h.published} published,"
            f" {h.pending} pending, {h.rejected} rejected{f', {h.spam} spam' if h.spam else ''}.{ban}</p>"
        )
        if h.notes:
            out.append('<ul class="notes">')
            for note in h.notes[:3]:
                out.append(
                    f'<li>{escape(note.body)} <span class="muted">— {escape(note.author_label or "a moderator")},'
                    f" {self._date(note.created_at)}</span></li>"
                )
            out.append("</ul>")
        out.append("</div>")

    def _actions(self, item, out):
        ref = item.ref
        next_anchor = f"#item-{item.next_id}" if item.next_id else ""
        appeal = item.appeal_open
        approve = " and close reports" if self.tab == "reported" else (": grant the appeal" if appeal else "")
        # A published comment that nobody reports has nothing to approve.
        approvable = item.status != "published" or item.open_reports or appeal
        # Spaces between the controls, as the template had: they are inline, and touch without.
        out.append(
            f'<div class="queue-actions"><form method="post" action="{escape(item.decide_url)}" class="decide-form">'
            f'{self.csrf} <input type="hidden" name="return_to" value="{self.here}{next_anchor}"> '
            + (
                '<button type="submit" name="action" value="approve" class="button button-primary" data-key="a">'
                f"<u>A</u>pprove{approve}</button> "
                if approvable
                else ""
            )
            + f'<label for="reason-{ref}" class="visually-hidden">Reason for rejecting</label> '
            f'<select name="reason" id="reason-{ref}">{item.reason_options}</select> '
            '<button type="submit" name="action" value="reject" class="button" data-key="r">'
            f"<u>R</u>eject{': uphold' if appeal else ''}</button> "
            '<button type="submit" name="action" value="spam" class="button" data-key="s"><u>S</u>pam</button>'
            "</form>"
        )
        if item.participant_id:
            back = f'<input type="hidden" name="return_to" value="{self.here}#item-{ref}">'
            if item.history and item.history.ban:
                out.append(
                    f'<form method="post" action="{escape(item.unban_url)}" class="inline-form">{self.csrf}{back} '
                    '<button type="submit" class="button">Unban author</button></form>'
                )
            else:
                out.append(
                    '<details class="ban-details" data-key="b"><summary class="button"><u>B</u>an author</summary>'
                    f'<form method="post" action="{escape(item.ban_url)}" class="ban-form">{self.csrf}{back}'
                    f"<fieldset><legend>Ban for</legend>{self.ban_durations}</fieldset> "
                    f'<label for="ban-reason-{ref}">Reason (shown to the participant)</label> '
                    f'<input type="text" name="reason" id="ban-reason-{ref}" maxlength="500" required> '
                    f"<fieldset><legend>Block</legend>{_SCOPE_RADIOS}"
                    f'<p class="help">{NETWORK_BAN_NOTE}</p></fieldset> '
                    '<label class="radio"><input type="checkbox" name="reject_pending">'
                    " Also reject their comments awaiting review, as:</label> "
                    f'<label for="ban-reject-reason-{ref}" class="visually-hidden">'
                    "Reason for rejecting their comments</label> "
                    f'<select name="reject_reason" id="ban-reject-reason-{ref}">{item.reason_options}</select> '
                    '<button type="submit" class="button button-danger">Ban</button></form></details>'
                )
        out.append("</div>")


@register.simple_tag(takes_context=True)
def queue_items(context, items) -> SafeString:
    """The ``<li>`` of each item of a queue page (``items``: prepared by ``views.queue.render_queue``)."""
    queue = _Queue(context)
    out: list[str] = []
    for item in items:
        queue.item(item, out)
    return SafeString("".join(out))
