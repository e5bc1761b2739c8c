"""The one definition of the client's IP address for the whole app.

With ``TRUSTED_PROXIES = n`` the app sits behind n reverse proxies, each of
which appends the address it received the request from to X-Forwarded-For.
The client is therefore the n-th entry from the right; anything further left
was written by the client itself and is forgeable, so it is never used.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    proxies = settings.TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than configured proxies: the header is missing or truncated,
        # so the only address we can vouch for is the nearest proxy's.
        return remote
    return forwarded[-proxies]
