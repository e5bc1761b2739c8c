"""Per-debate moderation settings: pre-moderation, slow mode, comments open."""

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from forum.debates.models import Debate
from forum.debates.services import Refused

from ..forms import DebateSettingsForm
from ..permissions import moderator_required
from ..services import debate_update_moderation


def render_debates(request, *, status=HTTPStatus.OK, bound=None, error=""):
    debates = list(Debate.objects.order_by("-featured", "-created_at"))
    rows = []
    for debate in debates:
        form = bound[1] if bound and bound[0] == debate.pk else None
        initial = {
            "premoderation": debate.premoderation,
            "slow_mode_seconds": debate.slow_mode_seconds,
            "comments_open": debate.comments_open,
        }
        rows.append((debate, form or DebateSettingsForm(initial=initial, prefix=f"d{debate.pk}")))
    return render(
        request, "moderation/debates.html", {"rows": rows, "error": error, "section": "debates"}, status=status
    )


@require_safe
@moderator_required
def debates(request):
    return render_debates(request)


@require_POST
@moderator_required
def debate_settings(request, debate_id: int):
    debate = get_object_or_404(Debate, pk=debate_id)
    form = DebateSettingsForm(request.POST, prefix=f"d{debate.pk}")
    if not form.is_valid():
        return render_debates(
            request, status=HTTPStatus.BAD_REQUEST, bound=(debate.pk, form), error="Please check the settings."
        )
    try:
        debate_update_moderation(debate_id=debate.pk, moderator=request.user, **form.cleaned_data)
    except Refused as refused:
        return render_debates(request, status=refused.status, bound=(debate.pk, form), error=refused.message)
    messages.success(request, f"Saved the settings of “{debate.title}”.")
    return HttpResponseRedirect(reverse("moderation:debates"))
