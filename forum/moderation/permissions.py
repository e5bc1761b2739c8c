"""Who may moderate: members of the Moderators group with two-factor set up."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

MODERATORS_GROUP = "Moderators"


def is_moderator(user) -> bool:
    return user.is_authenticated and user.is_active and user.groups.filter(name=MODERATORS_GROUP).exists()


def moderator_required(view):
    """Refuse non-moderators; send a moderator without two-factor to set it up."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise PermissionDenied("Moderators only.")
        if not is_mfa_enabled(request.user):
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped
