"""What the moderation views share: going back where the moderator was."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def back(request, default: str = "") -> HttpResponseRedirect:
    """Redirect to the form's ``return_to`` when it is a moderation page of this site."""
    target = request.POST.get("return_to", "")
    if (
        target.startswith("/moderation/")
        and len(target) < 500
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default or reverse("moderation:queue"))
