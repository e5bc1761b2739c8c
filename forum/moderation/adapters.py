from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from forum.debates.network import network_hash
from forum.lib.prepared import Select

from .permissions import MODERATORS_GROUP
from .security import record_login_failed, record_login_throttled


class AccountAdapter(DefaultAccountAdapter):
    """Moderator accounts are created by an administrator, never by signing up;
    failed and throttled logins go to the audit log."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """allauth keys its login rate limits (and security e-mails) on this. Give
        it the keyed network hash: one definition of the client behind trusted
        proxies, and no raw address in the cache table or in an e-mail."""
        return network_hash(request)

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            record_login_throttled(request, credentials.get("email") or credentials.get("username", ""))
            raise

    def authentication_failed(self, request, **credentials):
        record_login_failed(request, credentials.get("email") or credentials.get("username", ""))
        super().authentication_failed(request, **credentials)


def _session_user(pk):
    User = get_user_model()
    return User._default_manager.filter(pk=pk).annotate(
        in_moderators_group=Exists(
            User.groups.through.objects.filter(user=OuterRef("pk"), group__name=MODERATORS_GROUP)
        ),
        has_authenticator=Exists(Authenticator.objects.filter(user=OuterRef("pk"))),
    )


# Compiled once: building this QuerySet cost more than the two queries it saves.
_SESSION_USER = Select(_session_user, [-1])


class SessionUserBackend(AuthenticationBackend):
    """allauth's backend, whose user of a session also says, in the same query,
    whether they are in the Moderators group and have two-factor set up: the
    two questions every moderation page and API call asks before its own work
    (see ``permissions.moderator_access``), which were a query each."""

    def get_user(self, user_id):
        rows = _SESSION_USER.rows(user_id)
        if not rows:
            return None
        *fields, in_group, has_authenticator = rows[0]
        User = get_user_model()
        user = User.from_db("default", [f.attname for f in User._meta.concrete_fields], fields)
        user.in_moderators_group, user.has_authenticator = in_group, has_authenticator
        return user if self.user_can_authenticate(user) else None
