"""Bursts of ballots from one network hash, and voiding them."""

import datetime

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from forum.debates.services import Refused

from ..anomalies import ballot_bursts
from ..forms import VoidForm
from ..permissions import moderator_required
from ..services import ballots_void


@require_safe
@moderator_required
def anomalies(request):
    return render(request, "moderation/anomalies.html", {"bursts": ballot_bursts(), "section": "anomalies"})


@require_POST
@moderator_required
def void(request):
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That burst is not valid any more. Reload the page and try again.")
        return HttpResponseRedirect(reverse("moderation:anomalies"))
    start = form.cleaned_data["start"]
    try:
        count = ballots_void(
            debate_id=form.cleaned_data["debate"],
            network_hash=form.cleaned_data["network_hash"],
            start=start,
            end=start + datetime.timedelta(hours=1),
            moderator=request.user,
            reason=form.cleaned_data["reason"],
        )
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Voided {count} ballot{'' if count == 1 else 's'}. The results already show it.")
    return HttpResponseRedirect(reverse("moderation:anomalies"))
