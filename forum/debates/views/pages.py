"""Pages readers look at: the debate, its results, the privacy notice."""

import hashlib
import secrets
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..forms import CommentForm, ReportForm, VoteForm, form_token
from ..identity import SHOW_KEY_COOKIE, cookie_key, html_participant
from ..models import Ballot, Debate
from ..reading import SORTS, comment_page, common_ground_highlights
from ..results import poll_results, results_visible
from ..services import active_ban, edit_deadline


def _int(value, default=1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def debate_context(request, debate: Debate, *, comment_form=None, vote_form=None, error=None, reply_to=None):
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
    return {
        "debate": debate,
        "options": list(debate.options.all()),
        "participant": participant,
        "ban": active_ban(participant) if participant else None,
        "ballot": ballot,
        "results": poll_results(debate) if visible else None,
        "comments": page,
        "common_ground": common_ground_highlights(debate),
        "sorts": [(key, key.replace("_", " ").capitalize()) for key in SORTS],
        "comment_form": comment_form or CommentForm(),
        "vote_form": vote_form or VoteForm(),
        "report_reasons": ReportForm.base_fields["reason"].choices,
        "error": error,
        "reply_to": reply_to,
        "show_key": cookie_key(request) if request.COOKIES.get(SHOW_KEY_COOKIE) and participant else None,
        "edit_window_minutes": settings.COMMENT_EDIT_WINDOW_SECONDS // 60,
    }


def _mark_own(comments, participant):
    """Flag the viewer's own comments, and which of them can still be edited."""
    now = timezone.now()
    for c in comments:
        c.is_mine = participant is not None and c.participant_id == participant.pk
        c.can_edit = c.is_mine and now <= edit_deadline(c)
        _mark_own(c.replies, participant)


# Stand-ins for the per-request values in a cached anonymous page.
_CSRF = "@@csrf-token@@"
_STARTED = "@@form-started@@"
_IDEMPOTENCY = "@@idempotency-key@@"
_CACHEABLE_PARAMS = {"sort", "stance", "page"}


def _anonymous_page(request, debate) -> HttpResponse:
    """The debate page as every reader without a key sees it, rendered once per
    version of the debate and reused; only the CSRF token, the form's start
    time and its idempotency key are filled in per request."""
    query = "&".join(f"{k}={request.GET.get(k, '')[:40]}" for k in sorted(_CACHEABLE_PARAMS))
    key = f"page:{debate.pk}:{debate.version}:{hashlib.sha256(query.encode()).hexdigest()[:16]}"
    html = cache.get(key)
    if html is None:
        context = debate_context(request, debate)
        token = get_token(request)
        context["csrf_token"] = token
        html = render_to_string("debates/detail.html", context, request=request).replace(token, _CSRF)
        for form in (context["comment_form"], context["vote_form"]):
            html = html.replace(form["started"].value(), _STARTED).replace(
                form["idempotency_key"].value(), _IDEMPOTENCY
            )
        cache.set(key, html, timeout=24 * 3600)
    html = (
        html.replace(_CSRF, get_token(request))
        .replace(_STARTED, form_token())
        .replace(_IDEMPOTENCY, secrets.token_hex(16))
    )
    return HttpResponse(html)


def render_debate(request, debate, status=HTTPStatus.OK, **kwargs):
    if (
        settings.PAGE_CACHE
        and not kwargs
        and status == HTTPStatus.OK
        and html_participant(request) is None
        and set(request.GET) <= _CACHEABLE_PARAMS
    ):
        return _anonymous_page(request, debate)
    response = render(request, "debates/detail.html", debate_context(request, debate, **kwargs), status=status)
    if request.COOKIES.get(SHOW_KEY_COOKIE):
        response.delete_cookie(SHOW_KEY_COOKIE, samesite="Lax")
    return response


@require_GET
def home(request):
    debate = Debate.objects.featured()
    if debate is None:
        raise Http404("No debate has been set up yet.")
    return render_debate(request, debate)


@require_GET
def detail(request, slug):
    debate = get_object_or_404(Debate.objects.prefetch_related("options"), slug=slug)
    return render_debate(request, debate)


@require_GET
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


@require_GET
def privacy(request):
    return render(request, "debates/privacy.html", {"settings": settings})


@never_cache
@require_GET
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
