"""Form posts of the public side. Each calls one service; a refusal re-renders
the page with the author's text and a message saying why."""

import datetime
import functools
import secrets
from http import HTTPStatus

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.lib.forms import problems

from ..forms import CommentForm, EditForm, ReportForm, VoteForm
from ..identity import adopt_key, html_participant, remember_key
from ..models import Comment, Debate, Report
from ..network import network_hash
from ..services import (
    Refused,
    ban_refusal,
    comment_create,
    comment_delete,
    comment_edit,
    edit_deadline,
    last_display_name,
    like_toggle,
    report_create,
    vote_cast,
    vote_withdraw,
)
from .pages import DELETED, EDITED, UNCHANGED, WITHDRAWN, render_debate


def _in_place(request) -> bool:
    """The page's script sent this form and will swap in the debate page it gets back."""
    return request.headers.get("X-Requested-With") == "fetch"


def _debate(slug):
    return get_object_or_404(Debate.objects.prefetch_related("options"), slug=slug)


def _back(request, debate, anchor="", flag=""):
    """Back to the page the reader was on (its sort and page), with ``flag``
    set in the query when the page should say what happened."""
    url = reverse("debates:detail", args=[debate.slug])
    query = request.POST.get("return_query", "")
    if not (query.startswith("?") and len(query) < 200):
        query = ""
    if flag:
        query = f"{query}&{flag}=1" if query else f"?{flag}=1"
    return HttpResponseRedirect(url + query + anchor)


def _back_with_key(request, debate, anchor: str, new_key: str | None, flag: str = ""):
    """Back to the page at ``anchor``, or, after a reader's first action, at
    the key that page shows this once: it sits above the poll and the comments,
    where a reader sent to their comment would not see it."""
    response = _back(request, debate, "#your-key" if new_key else anchor, flag=flag)
    if new_key:
        remember_key(response, new_key)
    return response


def _refusal(request, debate, refused: Refused, **kwargs):
    response = render_debate(request, debate, status=refused.status, error=refused.message, **kwargs)
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    return response


def posted_here(anchor: str):
    """A debate's form target: POST does the action. A GET is the address a
    refused form left in the browser's bar (the page came back from the POST),
    opened again: it goes back to the debate, at the form, instead of a blank 405."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, slug):
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(reverse("debates:detail", args=[slug]) + anchor)
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, slug)

        return wrapped

    return decorate


@posted_here("#comment-form")
def comment_post(request, slug):
    debate = _debate(slug)
    form = CommentForm(request.POST)
    reply_to = request.POST.get("parent_id") or None
    if not form.is_valid():
        return _refusal(request, debate, Refused("invalid", problems(form)), comment_form=form, reply_to=reply_to)
    guard = form.guard_error()
    if guard:
        return _refusal(request, debate, Refused("suspicious", guard), comment_form=form, reply_to=reply_to)
    try:
        created = comment_create(
            debate=debate,
            participant=html_participant(request),
            body=form.cleaned_data["body"],
            author_name=form.cleaned_data["author_name"],
            parent_id=form.cleaned_data["parent_id"],
            network_hash=network_hash(request),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except Refused as refused:
        if refused.code == "idempotency_key_reused":
            # This form was sent before with another text (back, edit, send): the text
            # comes back with a new key, so that sending it posts it as a new comment.
            data = request.POST.copy()
            data["idempotency_key"] = secrets.token_hex(16)
            form = CommentForm(data)
            refused = Refused(
                refused.code,
                "This form was already sent with another text. "
                "Yours is kept here: send it to post it as a new comment.",
                status=refused.status,
            )
        return _refusal(request, debate, refused, comment_form=form, reply_to=reply_to)
    except (OperationalError, InterfaceError):
        # The database went away mid-post: hand the text back, never lose it.
        # The form keeps its idempotency key, so sending again posts once.
        return render(
            request,
            "debates/comment_failed.html",
            {"debate": debate, "form": form},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    return _back_with_key(request, debate, f"#c{created.comment.pk}", created.new_key)


def _own_comment_or_404(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("debate"), pk=comment_id)
    participant = html_participant(request)
    if participant is None or comment.participant_id != participant.pk or comment.is_deleted:
        return comment, False
    return comment, True


@require_http_methods(["GET", "POST"])
def comment_edit_view(request, comment_id):
    comment, mine = _own_comment_or_404(request, comment_id)
    if not mine:
        return render(request, "403.html", {"message": "Only the author can edit this comment."}, status=403)
    form = EditForm(request.POST or None, initial={"body": comment.body})
    error = None
    status = HTTPStatus.OK
    if request.method == "POST" and form.is_valid():
        try:
            comment_edit(comment_id=comment.pk, participant=html_participant(request), body=form.cleaned_data["body"])
        except Refused as refused:
            error, status = refused.message, refused.status
        else:
            url = reverse("debates:detail", args=[comment.debate.slug])
            return HttpResponseRedirect(f"{url}?{EDITED}={comment.pk}#c{comment.pk}")
    elif request.method == "POST":
        error, status = problems(form), HTTPStatus.BAD_REQUEST
    # Opened from an address by a banned author: the ban, not a form it would refuse.
    banned = ban_refusal(html_participant(request)) if request.method == "GET" else None
    deadline = edit_deadline(comment)
    context = {
        "comment": comment,
        "form": form,
        "error": error,
        "deadline": deadline,
        "window_over": timezone.now() > deadline,  # offered no form it would refuse
        "last_minute": deadline - timezone.now() < datetime.timedelta(minutes=1),  # not "another 0 minutes"
        "window_minutes": settings.COMMENT_EDIT_WINDOW_SECONDS // 60,
        "banned": banned,
    }
    return render(request, "debates/comment_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def comment_delete_view(request, comment_id):
    try:
        comment, mine = _own_comment_or_404(request, comment_id)
    except Http404:
        comment = None
    if comment is None or comment.is_deleted:
        # A second click or another tab deleted it: gone, or a placeholder that names no author.
        return render(request, "404.html", {"message": "This comment does not exist or has been deleted."}, status=404)
    if not mine:
        return render(request, "403.html", {"message": "Only the author can delete this comment."}, status=403)
    if request.method == "POST":
        try:
            comment_delete(comment_id=comment.pk, participant=html_participant(request))
        except Refused as refused:
            if refused.code != "not_found":
                return render(request, "403.html", {"message": refused.message}, status=refused.status)
            # Deleted meanwhile, by the same author in another request: what was asked is done.
        url = reverse("debates:detail", args=[comment.debate.slug])
        return HttpResponseRedirect(f"{url}?{DELETED}=1#comments-notice")
    return render(request, "debates/comment_delete.html", {"comment": comment})


@require_POST
def like(request, comment_id):
    comment = get_object_or_404(Comment.objects.select_related("debate"), pk=comment_id)
    try:
        _, _, new_key = like_toggle(
            comment_id=comment.pk, participant=html_participant(request), network_hash=network_hash(request)
        )
    except Refused as refused:
        return _refusal(request, comment.debate, refused)
    return _back_with_key(request, comment.debate, f"#c{comment.pk}", new_key)


@require_safe
def reply(request, comment_id):
    """The reply form of one comment on a page of its own, for readers without
    the page's script (it opens the debate page's reply form in place instead)."""
    comment = get_object_or_404(
        Comment.objects.select_related("debate"), pk=comment_id, status=Comment.Status.PUBLISHED
    )
    participant = html_participant(request)
    form = CommentForm(initial={"author_name": last_display_name(participant)})
    context = {"comment": comment, "debate": comment.debate, "form": form}
    # A banned reader (or network) is told here, where they would start writing.
    context["banned"] = ban_refusal(participant, network_hash(request))
    return render(request, "debates/reply.html", context)


@require_http_methods(["GET", "POST"])
def report(request, comment_id):
    comment = get_object_or_404(
        Comment.objects.select_related("debate").exclude(status=Comment.Status.DELETED), pk=comment_id
    )
    if request.method == "GET" and "done" in request.GET:
        # The thanks a report without the script is redirected to (even if the browser
        # dropped the key it was sent with), which a reload shows again.
        return render(request, "debates/report_done.html", {"comment": comment})
    participant = html_participant(request)
    if (
        participant is not None
        and not _in_place(request)
        and Report.objects.filter(comment=comment, participant=participant).exists()
    ):
        # Reported already, even once the report hid the comment: say so, with no form to send again.
        status = HTTPStatus.CONFLICT if request.method == "POST" else HTTPStatus.OK
        return render(request, "debates/report_done.html", {"comment": comment, "already": True}, status=status)
    if comment.status != Comment.Status.PUBLISHED:
        raise Http404("Only published comments can be reported.")
    form = ReportForm(request.POST or None)
    error = None
    status = HTTPStatus.OK
    if request.method == "POST":
        if form.is_valid():
            try:
                _, new_key = report_create(
                    comment_id=comment.pk,
                    participant=participant,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    network_hash=network_hash(request),
                )
            except Refused as refused:
                error, status = refused.message, refused.status
                if _in_place(request):
                    return _refusal(request, comment.debate, refused)
            else:
                if _in_place(request):
                    if new_key:
                        adopt_key(request, new_key)  # the page that answers shows it
                    # Thanked under the comment, where the reader is (see debate_context).
                    response = render_debate(request, comment.debate, reported=comment.pk)
                else:  # thanked on a page of its own, which a reload shows again without sending twice
                    response = HttpResponseRedirect(reverse("debates:comment-report", args=[comment.pk]) + "?done=1")
                if new_key:
                    remember_key(response, new_key, announce=not _in_place(request))
                return response
        else:
            error, status = problems(form), HTTPStatus.BAD_REQUEST
    # On the way in, a banned reader (or network) is told, instead of offered a form it would refuse.
    banned = ban_refusal(participant, network_hash(request)) if request.method == "GET" else None
    context = {"comment": comment, "form": form, "error": error, "banned": banned}
    response = render(request, "debates/report.html", context, status=status)
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        response["Retry-After"] = "60"
    return response


@posted_here("#poll")
def vote(request, slug):
    debate = _debate(slug)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _refusal(request, debate, Refused("invalid", "Please choose one of the options."), vote_form=form)
    guard = form.guard_error()
    if guard:
        return _refusal(request, debate, Refused("suspicious", guard), vote_form=form)
    try:
        result = vote_cast(
            debate=debate,
            participant=html_participant(request),
            option_key=form.cleaned_data["option"],
            network_hash=network_hash(request),
        )
    except Refused as refused:
        return _refusal(request, debate, refused, vote_form=form)
    return _back_with_key(request, debate, "#poll", result.new_key, flag=UNCHANGED if result.unchanged else "")


@posted_here("#poll")
def withdraw(request, slug):
    debate = _debate(slug)
    vote_withdraw(debate=debate, participant=html_participant(request))
    return _back(request, debate, "#poll", flag=WITHDRAWN)
