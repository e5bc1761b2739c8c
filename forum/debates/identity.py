"""Who is asking: the participant behind the HTML cookie or the API header.

The HTML pages read the key from an HttpOnly cookie; the API reads it from
the ``X-Participant-Key`` header only, never the cookie, so API calls need no
CSRF token and a page on another site cannot act with a reader's cookie.
"""

from django.conf import settings

from .models import Participant
from .services import participant_from_key, participant_touch

KEY_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
# Under HTTPS every cookie of ours carries the __Host- prefix (Secure, no Domain, Path=/).
SHOW_KEY_COOKIE = "__Host-show_key" if settings.HTTPS else "show_key"


def cookie_key(request) -> str | None:
    return request.COOKIES.get(settings.PARTICIPANT_COOKIE_NAME)


def html_participant(request) -> Participant | None:
    if not hasattr(request, "_participant"):
        participant = participant_from_key(cookie_key(request))
        if participant is not None:
            participant_touch(participant)
        request._participant = participant
    return request._participant


def api_participant(request) -> Participant | None:
    if not hasattr(request, "_api_participant"):
        participant = participant_from_key(request.headers.get("X-Participant-Key"))
        if participant is not None:
            participant_touch(participant)
        request._api_participant = participant
    return request._api_participant


def remember_key(response, key: str, *, announce: bool = True) -> None:
    """Keep the key in the browser; ``announce`` shows it once on the next page."""
    response.set_cookie(
        settings.PARTICIPANT_COOKIE_NAME,
        key,
        max_age=KEY_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    if announce:
        response.set_cookie(SHOW_KEY_COOKIE, "1", max_age=600, httponly=True, samesite="Lax", secure=settings.HTTPS)


def adopt_key(request, key: str) -> None:
    """The rest of this request acts as the holder of ``key``, made by it, and
    the page it renders shows the key once (its cookies reach only the next request)."""
    request.COOKIES[settings.PARTICIPANT_COOKIE_NAME] = key
    request.COOKIES[SHOW_KEY_COOKIE] = "1"
    request.__dict__.pop("_participant", None)


def forget_key(response) -> None:
    response.delete_cookie(settings.PARTICIPANT_COOKIE_NAME, samesite="Lax")
    response.delete_cookie(SHOW_KEY_COOKIE, samesite="Lax")
