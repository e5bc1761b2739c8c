"""A participant as moderators see them: history, notes, bans."""

from http import HTTPStatus

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from forum.debates.models import Ban, Participant
from forum.debates.services import Refused, until_words
from forum.lib.forms import problems

from ..forms import NETWORK_BAN_NOTE, BanForm, NoteForm
from ..permissions import moderator_required
from ..queue import attach_context, with_context
from ..services import ban_create, ban_lift, note_create
from .common import back


def render_participant(request, participant_id: int, *, status=HTTPStatus.OK, ban_form=None, note_form=None, error=""):
    participant = get_object_or_404(Participant, pk=participant_id)
    comments = with_context(participant.comments.order_by("-created_at", "-id"))
    page = Paginator(comments, 25).get_page(request.GET.get("page"))
    items = list(page.object_list)
    attach_context(items)
    now = timezone.now()
    bans = list(Ban.objects.filter(participant=participant).select_related("created_by").order_by("-created_at"))
    for b in bans:
        b.state = "lifted" if b.lifted_at else ("expired" if b.expires_at and b.expires_at <= now else "in force")
    return render(
        request,
        "moderation/participant.html",
        {
            "participant": participant,
            "page": page,
            "items": items,
            "bans": bans,
            "active_ban": next((b for b in bans if b.state == "in force"), None),
            "notes": participant.moderator_notes.all(),
            "ban_form": ban_form or BanForm(),
            "network_ban_note": NETWORK_BAN_NOTE,
            "note_form": note_form or NoteForm(),
            "error": error,
            "section": "queue",
        },
        status=status,
    )


def _here(participant_id: int) -> str:
    return reverse("moderation:participant", args=[participant_id])


@require_safe
@moderator_required
def participant(request, participant_id: int):
    return render_participant(request, participant_id)


@require_POST
@moderator_required
def ban(request, participant_id: int):
    form = BanForm(request.POST)
    if not form.is_valid():
        return render_participant(
            request,
            participant_id,
            status=HTTPStatus.BAD_REQUEST,
            ban_form=form,
            error=problems(form),
        )
    try:
        created = ban_create(participant_id=participant_id, moderator=request.user, **form.ban_options())
    except Refused as refused:
        if refused.status == HTTPStatus.NOT_FOUND:
            messages.error(request, refused.message)
            return back(request)
        return render_participant(request, participant_id, status=refused.status, ban_form=form, error=refused.message)
    whom = "with the network they last used" if created.network_hash else "on their own (no network is blocked)"
    done = f"Participant #{participant_id} is banned {until_words(created.expires_at)}, {whom}."
    if created.rejected:
        done += f" {created.rejected} comment{'' if created.rejected == 1 else 's'} awaiting review rejected."
    messages.success(request, done)
    return back(request, _here(participant_id))


@require_POST
@moderator_required
def unban(request, participant_id: int):
    try:
        ban_lift(participant_id=participant_id, moderator=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Lifted the ban on participant #{participant_id}.")
    return back(request, _here(participant_id))


@require_POST
@moderator_required
def note(request, participant_id: int):
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise Refused("invalid", "Write a note of up to 1,000 characters.")
        note_create(participant_id=participant_id, moderator=request.user, body=form.cleaned_data["body"])
    except Refused as refused:
        if refused.status == HTTPStatus.NOT_FOUND:
            messages.error(request, refused.message)
            return back(request)
        return render_participant(request, participant_id, status=refused.status, note_form=form, error=refused.message)
    messages.success(request, "Note saved.")
    return HttpResponseRedirect(_here(participant_id) + "#notes")
