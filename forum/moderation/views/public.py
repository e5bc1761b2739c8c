"""What authors and readers see of moderation: a comment's status and its
appeal, one's own held and rejected comments, and the transparency report."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from forum.debates.identity import html_participant
from forum.debates.services import Refused, appeal_create

from ..authors import own_comment_status, own_comments
from ..forms import AppealForm
from ..transparency import monthly_report


@require_http_methods(["GET", "POST"])
def comment_status(request, comment_id: int):
    participant = html_participant(request)
    try:
        status = own_comment_status(comment_id=comment_id, participant=participant)
    except Refused as refused:
        return render(request, f"{refused.status}.html", {"message": refused.message}, status=refused.status)
    form = AppealForm(request.POST or None)
    error = ""
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise Refused("invalid", "Please explain in up to 500 characters.", fields={"note": "required"})
            appeal_create(comment_id=comment_id, participant=participant, note=form.cleaned_data["note"])
        except Refused as refused:
            error = refused.message
            return render(
                request,
                "moderation/comment_status.html",
                {"status": status, "form": form, "error": error},
                status=refused.status,
            )
        return HttpResponseRedirect(reverse("moderation-public:comment-status", args=[comment_id]) + "#appeal")
    return render(request, "moderation/comment_status.html", {"status": status, "form": form, "error": error})


@require_safe
def my_comments(request):
    participant = html_participant(request)
    return render(
        request,
        "moderation/my_comments.html",
        {"participant": participant, "statuses": own_comments(participant) if participant else []},
    )


@require_safe
def transparency(request):
    return render(
        request,
        "moderation/transparency.html",
        {"months": monthly_report()},
    )
