from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Moderator accounts are created by an administrator, never by signing up."""

    def is_open_for_signup(self, request):
        return False
