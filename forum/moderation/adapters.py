from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from forum.debates.network import network_hash

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
