"""Who may moderate: members of the Moderators group whose session passed two-factor.

One function, ``moderator_access``, decides for the HTML pages and the JSON API
alike, so no page can forget a step:

- not logged in (anonymous readers and participants alike): log in first;
- logged in but not in the Moderators group: refused;
- a moderator without two-factor set up: sent to set it up;
- a moderator with two-factor whose session never passed a code (a path
  that skipped allauth's two-factor stage): asked for a code.
"""

from enum import StrEnum
from functools import wraps
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

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
    cached = getattr(user, "in_moderators_group", None)  # read with the session's user (adapters.SessionUserBackend)
    if cached is None:
        cached = user.in_moderators_group = user.groups.filter(name=MODERATORS_GROUP).exists()
    return cached


def has_two_factor(user) -> bool:
    cached = getattr(user, "has_authenticator", None)  # read with the session's user, like the group
    return is_mfa_enabled(user) if cached is None else cached


def session_passed_2fa(request) -> bool:
    """Whether this session has entered a valid two-factor code.

    allauth records each authentication of the session. A moderator who logged
    in before having two-factor has no "mfa" record, but activating TOTP took
    a valid code and, just before it, allauth's re-entry of the password: a
    session whose password re-entry shortly precedes the authenticator's
    creation is the one that activated it, so it counts. Any other session of
    the same account opened before the activation does not.
    """
    records = request.session.get(AUTHENTICATION_RECORDS, [])
    if any(record.get("method") == "mfa" for record in records):
        return True
    reauthenticated = [r["at"] for r in records if r.get("reauthenticated") and r.get("at")]
    if not reauthenticated:
        return False
    created = (
        Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP)
        .values_list("created_at", flat=True)
        .first()
    )
    if created is None:
        return False
    window = account_settings.REAUTHENTICATION_TIMEOUT
    return any(0 <= created.timestamp() - at <= window for at in reauthenticated)


def moderator_access(request) -> Access:
    user = request.user
    if not user.is_authenticated:
        return Access.LOGIN
    if not is_moderator(user):
        return Access.FORBIDDEN
    if not has_two_factor(user):
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
        response = view(request, *args, **kwargs)
        # Moderation pages show held text and personal history: never keep them in a cache.
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped
