"""Pages readers look at: the debate, its results, the privacy notice."""

import hashlib
import re
import secrets
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..forms import CommentForm, ReportForm, VoteForm, form_token
from ..identity import SHOW_KEY_COOKIE, cookie_key, html_participant
from ..models import Ballot, Comment, Debate
from ..network import network_hash
from ..reading import (
    PAGE_PARAMS,
    SORTS,
    RecentCopies,
    comment_page,
    common_ground_highlights,
    complete,
    debate_read,
    shared_page_params,
    with_options,
)
from ..results import poll_results, results_visible
from ..services import ban_in_force, edit_deadline, last_display_name


def _int(value, default=1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def debate_context(
    request,
    debate: Debate,
    *,
    comment_form=None,
    vote_form=None,
    error=None,
    reply_to=None,
    notice=None,
    reported=None,
):
    """Everything the debate page shows; shared with the views that re-render it on an error."""
    participant = html_participant(request)
    ballot = None
    if participant is not None:
        ballot = Ballot.objects.filter(debate=debate, participant=participant).select_related("option").first()
    visible = results_visible(debate, has_voted=ballot is not None)
    page = comment_page(
        debate,
        participant,
        sort=request.GET.get("sort", "newest"),
        stance=request.GET.get("stance", ""),
        page=_int(request.GET.get("page")),
    )
    _mark_own(page.threads, participant)
    # A notice under one comment, where the reader is: the thanks for a report
    # sent from the page, or an edit saved (see EDITED).
    comment_notice = None
    if reported is not None:
        if _find(page.threads, reported) is not None:
            comment_notice = (reported, "report-thanks", REPORT_THANKS)
        else:  # the report hid the comment, or it is on another page: thanked above the comments
            notice = REPORT_THANKS
    elif participant is not None:
        edited = _find(page.threads, _int(request.GET.get(EDITED), None))
        if edited is not None and edited.is_mine:
            waits = " It waits for a moderator before others see it." if edited.status == Comment.Status.PENDING else ""
            comment_notice = (edited.pk, "edit-saved", f"Your edit is saved.{waits}")
    return {
        "debate": debate,
        "options": list(debate.options.all()),
        "participant": participant,
        # Their own ban, or their network's block (told before they write, not after).
        "ban": ban_in_force(participant, network_hash(request)) if participant else None,
        "ballot": ballot,
        "results": poll_results(debate) if visible else None,
        "comments": page,
        "common_ground": common_ground_highlights(debate),
        "sorts": [(key, key.replace("_", " ").capitalize()) for key in SORTS],
        # A returning reader's forms are filled in with the name they last used.
        "comment_form": comment_form or CommentForm(initial={"author_name": last_display_name(participant)}),
        # The page's one reply form has its own idempotency key: sharing the
        # comment form's, a comment sent after a reply whose answer was lost
        # came back as that reply instead of being posted.
        "reply_form": CommentForm(),
        "vote_form": vote_form or VoteForm(),
        "report_reasons": ReportForm.base_fields["reason"].choices,
        "error": error,
        "notice": notice or (DELETED_NOTICE if participant is not None and DELETED in request.GET else None),
        "reply_to": reply_to,
        "show_key": cookie_key(request) if request.COOKIES.get(SHOW_KEY_COOKIE) and participant else None,
        # Just after a key was pasted at /me/key/restore/ (see RESTORED).
        "restored": participant is not None and RESTORED in request.GET,
        "vote_notice": _vote_notice(request, participant, ballot),
        "comment_notice": comment_notice,  # (comment id, element id, text)
        "edit_window_minutes": settings.COMMENT_EDIT_WINDOW_SECONDS // 60,
    }


def _vote_notice(request, participant, ballot) -> str | None:
    """What the poll says just after a vote was withdrawn, or sent again unchanged."""
    if participant is None:
        return None
    if ballot is None and WITHDRAWN in request.GET:
        return WITHDRAWN_NOTICE
    if ballot is not None and UNCHANGED in request.GET:
        return UNCHANGED_NOTICE.format(label=ballot.option.label)
    return None


def _find(comments, comment_id: int | None):
    """The comment with this id among a page's threads and their replies, or None."""
    for c in comments:
        found = c if c.pk == comment_id else _find(c.replies, comment_id)
        if found is not None:
            return found
    return None


def _mark_own(comments, participant):
    """Flag the viewer's own comments, and which of them can still be edited."""
    now = timezone.now()
    for c in comments:
        c.is_mine = participant is not None and c.participant_id == participant.pk
        c.can_edit = c.is_mine and now <= edit_deadline(c)
        _mark_own(c.replies, participant)


# The query parameters that a restored key's first page, and the page after
# a deletion, an edit, a withdrawn vote or one sent again unchanged, carry to say what happened.
RESTORED = "restored"
DELETED = "deleted"
EDITED = "edited"
WITHDRAWN = "withdrawn"
UNCHANGED = "unchanged"
DELETED_NOTICE = "Your comment is deleted."
WITHDRAWN_NOTICE = "Your vote is withdrawn: it no longer counts in the results."
UNCHANGED_NOTICE = "“{label}” is already your vote. To change it, choose another answer first."
REPORT_THANKS = "Thank you for your report. A moderator will look at it."

# Stand-ins for the per-request values in a cached anonymous page.
_CSRF = "@@csrf-token@@"
_STARTED = "@@form-started@@"
_IDEMPOTENCY = "@@idempotency-key@@"
_STAND_INS = re.compile(rb"(@@csrf-token@@|@@form-started@@|@@idempotency-key@@)")
# Each process keeps its latest pages split at the stand-ins, ready to join.
_PAGES = RecentCopies(size=8, convert=lambda html: _STAND_INS.split(html.encode()))


def _serves_cached_page(request) -> bool:
    """Readers without a key share one copy of each page of the debate."""
    return settings.PAGE_CACHE and set(request.GET) <= PAGE_PARAMS and html_participant(request) is None


def _page_key(request, debate: Debate) -> str:
    sort, stance, page = shared_page_params(
        debate, request.GET.get("sort", "newest"), request.GET.get("stance", ""), _int(request.GET.get("page"))
    )
    query = f"page={page}&sort={sort}&stance={stance}"
    return debate.cache_key("page", hashlib.sha256(query.encode()).hexdigest()[:16])


def _render_anonymous(request, debate: Debate) -> str:
    """The page with stand-ins where the per-request values go."""
    with_options(debate)
    context = debate_context(request, debate)
    token = get_token(request)
    context["csrf_token"] = token
    html = render_to_string("debates/detail.html", context, request=request).replace(token, _CSRF)
    for form in (context["comment_form"], context["reply_form"], context["vote_form"]):
        html = html.replace(form["started"].value(), _STARTED).replace(form["idempotency_key"].value(), _IDEMPOTENCY)
    return html


def _anonymous_page(request, debate: Debate) -> HttpResponse:
    """The debate page as every reader without a key sees it, rendered once per
    version of the debate and reused; only the CSRF token, the forms' start
    time and their idempotency keys are filled in per request.

    A hit costs one query, the debate itself (two with a stance filter, which the
    poll's answers check): the page comes from this
    process's recent pages (else the shared cache) and is joined as bytes
    around the fresh tokens.
    """
    parts = _PAGES.get(_page_key(request, debate), lambda: _render_anonymous(request, complete(debate)))
    values = {_CSRF.encode(): get_token(request).encode(), _STARTED.encode(): form_token().encode()}
    # re.split with a group puts each stand-in at an odd index. Every form gets
    # an idempotency key of its own.
    return HttpResponse(
        b"".join(
            (values.get(part) or secrets.token_hex(16).encode()) if i % 2 else part for i, part in enumerate(parts)
        )
    )


def render_debate(request, debate, status=HTTPStatus.OK, **kwargs):
    if not kwargs and status == HTTPStatus.OK and _serves_cached_page(request):
        return _anonymous_page(request, debate)
    with_options(debate)
    response = render(request, "debates/detail.html", debate_context(request, debate, **kwargs), status=status)
    # A reader's own copy is private (SecurityHeadersMiddleware); the one showing the key is kept by no cache.
    if request.COOKIES.get(SHOW_KEY_COOKIE):
        response.delete_cookie(SHOW_KEY_COOKIE, samesite="Lax")
        add_never_cache_headers(response)
    return response


def _debate_page(request, slug: str | None = None) -> HttpResponse:
    # A reader without a key reads only what the shared page's key needs.
    shared = _serves_cached_page(request)
    debate = debate_read(slug, keyed=shared)
    if debate is None:
        raise Http404("No debate has been set up yet." if slug is None else f"No debate with the slug {slug!r}.")
    return _anonymous_page(request, debate) if shared else render_debate(request, debate)


@require_safe
def home(request):
    return _debate_page(request)


@require_safe
def detail(request, slug):
    return _debate_page(request, slug)


@require_safe
def results(request, slug):
    debate = get_object_or_404(Debate.objects.prefetch_related("options"), slug=slug)
    participant = html_participant(request)
    has_voted = participant is not None and Ballot.objects.filter(debate=debate, participant=participant).exists()
    visible = results_visible(debate, has_voted=has_voted)
    return render(
        request,
        "debates/results.html",
        {"debate": debate, "results": poll_results(debate) if visible else None, "has_voted": has_voted},
    )


@require_safe
def privacy(request):
    return render(request, "debates/privacy.html", {"settings": settings})


@require_safe
def favicon(request):
    """For clients that ask for /favicon.ico whatever the page's icon link says."""
    return HttpResponsePermanentRedirect(static("forum/favicon.svg"))


@never_cache
@require_safe
def healthz(request):
    """200 when the database and the cache answer, 503 otherwise (for load balancers)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "take me out of rotation"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", timeout=10)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no read-back"
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE,
    )
