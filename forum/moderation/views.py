from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .permissions import moderator_required


@login_required
@moderator_required
def queue(request):
    return render(request, "moderation/queue.html", {})
