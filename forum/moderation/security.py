"""Security events written to the audit log: logins, failed logins and throttled
ones, failed two-factor codes, and changes to a moderator's credentials.

allauth and Django announce these with signals (and the account adapter for
failed passwords); the receivers only record them. An attempted login names
the account only when it exists: whatever else was typed in the e-mail field
(sometimes a password) is never stored.
"""

from allauth.account.signals import password_changed, password_reset, user_logged_in, user_logged_out
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth import get_user_model

from forum.debates.network import network_hash

from .audit import audit_record


def _net(request) -> str:
    return network_hash(request) if request is not None else ""


def account_for(login: str):
    """The user an attempted e-mail belongs to, or None (nothing typed is kept otherwise)."""
    login = (login or "").strip()
    if not login or len(login) > 254:
        return None
    return get_user_model().objects.filter(email__iexact=login).first()


def _record_login(request, login: str, action: str) -> None:
    user = account_for(login)
    audit_record(
        action=action,
        actor_label=user.email if user else "",
        target=user,
        network_hash=_net(request),
        details={"known_account": user is not None},
    )


def record_login_failed(request, login: str) -> None:
    _record_login(request, login, "security.login_failed")


def record_login_throttled(request, login: str) -> None:
    _record_login(request, login, "security.login_throttled")


def _logged_in(sender, request, user, **kwargs):
    audit_record(action="security.login", actor=user, target=user, network_hash=_net(request))


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="security.logout", actor=user, target=user, network_hash=_net(request))


def _mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    audit_record(
        action="security.2fa_failed",
        actor_label=user.email,
        target=user,
        network_hash=_net(request),
        details={"type": authenticator.type, "reauthentication": bool(reauthentication)},
    )


def _authenticator_added(sender, request, user, authenticator, **kwargs):
    audit_record(action="security.2fa_added", actor=user, target=user, details={"type": authenticator.type})


def _authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit_record(action="security.2fa_removed", actor=user, target=user, details={"type": authenticator.type})


def _authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit_record(action="security.recovery_codes_reset", actor=user, target=user, details={"type": authenticator.type})


def _password_changed(sender, request, user, **kwargs):
    audit_record(action="security.password_changed", actor=user, target=user, network_hash=_net(request))


def _password_reset(sender, request, user, **kwargs):
    audit_record(action="security.password_reset", actor=user, target=user, network_hash=_net(request))


def connect() -> None:
    """Listen to the authentication signals (called from the app config)."""
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    authentication_failed.connect(_mfa_failed, dispatch_uid="audit-2fa-failed")
    authenticator_added.connect(_authenticator_added, dispatch_uid="audit-2fa-added")
    authenticator_removed.connect(_authenticator_removed, dispatch_uid="audit-2fa-removed")
    authenticator_reset.connect(_authenticator_reset, dispatch_uid="audit-2fa-reset")
    password_changed.connect(_password_changed, dispatch_uid="audit-password-changed")
    password_reset.connect(_password_reset, dispatch_uid="audit-password-reset")
