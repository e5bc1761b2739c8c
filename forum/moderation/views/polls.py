"""The poll editor: wording and options before the first vote, opening and closing at any time."""

import datetime
from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from forum.debates.models import Debate
from forum.debates.services import Refused

from ..permissions import moderator_required
from ..polls import poll_edit, poll_form_initial, poll_has_votes

MAX_OPTIONS = 6


def _closes_at(raw: str) -> datetime.datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        when = datetime.datetime.fromisoformat(raw)
        # The field's own value has no offset and means UTC; one given with an offset means what it says.
        return when.replace(tzinfo=datetime.UTC) if when.tzinfo is None else when.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise Refused(
            "invalid", "Give the closing time as a date and a time (UTC).", fields={"poll_closes_at": "bad"}
        ) from None


@require_http_methods(["GET", "POST"])
@moderator_required
def poll(request, debate_id: int):
    debate = get_object_or_404(Debate.objects.prefetch_related("options"), pk=debate_id)
    values = poll_form_initial(debate)
    options = [(o.key, o.label) for o in debate.options.all()]
    error, status = "", HTTPStatus.OK
    if request.method == "POST":
        values = {
            "question": request.POST.get("question", ""),
            "poll_open": request.POST.get("poll_open") == "on",
            "poll_closes_at": request.POST.get("poll_closes_at", ""),
            "results_visibility": request.POST.get("results_visibility", ""),
        }
        options = [(request.POST.get(f"key-{i}", ""), request.POST.get(f"label-{i}", "")) for i in range(MAX_OPTIONS)]
        try:
            poll_edit(
                debate_id=debate.pk,
                moderator=request.user,
                question=values["question"],
                options=options,
                poll_open=values["poll_open"],
                poll_closes_at=_closes_at(values["poll_closes_at"]),
                results_visibility=values["results_visibility"],
            )
        except Refused as refused:
            error, status = refused.message, refused.status
        else:
            messages.success(request, f"Saved the poll of “{debate.title}”.")
            return HttpResponseRedirect(reverse("moderation:poll", args=[debate.pk]))
    rows = (options + [("", "")] * MAX_OPTIONS)[:MAX_OPTIONS]
    return render(
        request,
        "moderation/poll.html",
        {
            "debate": debate,
            "values": values,
            "rows": list(enumerate(rows)),
            "locked": poll_has_votes(debate),
            "visibility": Debate.ResultsVisibility.choices,
            "error": error,
            "section": "debates",
        },
        status=status,
    )
