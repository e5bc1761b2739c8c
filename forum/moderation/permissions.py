"""Who may moderate: members of the Moderators group whose session passed two-factor.

One function, ``moderator_access``, decides for the HTML pages and the JSON API
alike, so no page can forget a step:

- not logged in (anonymous readers and participants alike): log in first;
- logged in but not in the Moderators group: refused;
- a moderator without two-factor set up: sent to set it up;
- a moderator with two-factor whose session never passed a code (a session
  opened before the code existed, or by a path that skipped the stage):
  asked for a code again.
"""

from enum import StrEnum
from functools import wraps
from urllib.parse import urlencode

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

MODERATORS_GROUP = "Moderators"
AUTHENTICATION_RECORDS = "account_authentication_methods"


class Access(StrEnum):
    OK = "ok"
    LOGIN = "login"
    FORBIDDEN = "forbidden"
    SETUP_2FA = "setup_2fa"
    CODE_2FA = "code_2fa"


def is_moderator(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_is_moderator", None)
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists()
        user._is_moderator = cached
    return cached


def session_passed_2fa(request) -> bool:
    """Whether this session has entered a valid two-factor code (allauth records it)."""
    records = request.session.get(AUTHENTICATION_RECORDS, [])
    return any(record.get("method") == "mfa" for record in records)


def remember_2fa_in_session(request, user, authenticator) -> None:
    """Activating TOTP needs a valid code, so the session counts as having passed two-factor."""
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def moderator_access(request) -> Access:
    user = request.user
    if not user.is_authenticated:
        return Access.LOGIN
    if not is_moderator(user):
        return Access.FORBIDDEN
    if not is_mfa_enabled(user):
        return Access.SETUP_2FA
    if not session_passed_2fa(request):
        return Access.CODE_2FA
    return Access.OK


def moderator_required(view):
    """Open the view only for a moderator whose session passed two-factor."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        access = moderator_access(request)
        if access == Access.LOGIN:
            return redirect_to_login(request.get_full_path())
        if access == Access.FORBIDDEN:
            raise PermissionDenied("This page is for moderators only.")
        if access == Access.SETUP_2FA:
            return redirect("mfa_activate_totp")
        if access == Access.CODE_2FA:
            return redirect(reverse("mfa_reauthenticate") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, *args, **kwargs)

    return wrapped
