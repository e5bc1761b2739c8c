"""Response headers and failure handling that apply to every request."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.cache import patch_cache_control, patch_vary_headers
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("forum.faults")

# No inline script or style anywhere: every script and stylesheet is a file we
# serve ourselves, so an injected <script> cannot run even if it got through.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Everything that is not a page (JSON, downloads, static files) loads nothing
# and may be framed by no one, even when opened directly in a tab.
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"

API_PREFIX = "/api/"
PARTICIPANT_KEY_HEADER = "X-Participant-Key"

# Errors that mean a backing service is away, not that our code is wrong.
DATABASE_ERRORS = (OperationalError, InterfaceError)
CACHE_ERRORS = (RedisConnectionError, RedisTimeoutError)


class SecurityHeadersMiddleware:
    """The security headers of every response, whichever layer produced it.

    It sits outermost, so it also covers responses that skipped Django's own
    SecurityMiddleware (static files, an exception raised inside another
    middleware); ``setdefault`` leaves a header a view chose on purpose alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_page = response.get("Content-Type", "").startswith("text/html")
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY if is_page else RESOURCE_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("X-Frame-Options", "DENY")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        response.setdefault("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or "same-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if getattr(settings, "SECURE_HSTS_SECONDS", 0) and request.is_secure():
            hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                hsts += "; preload"
            response.setdefault("Strict-Transport-Security", hsts)
        if is_page and settings.PARTICIPANT_COOKIE_NAME in request.COOKIES:
            # A page for a reader with a key shows their vote, their held comments,
            # their CSRF token: no shared cache keeps a copy.
            patch_cache_control(response, private=True)
        if request.path.startswith(API_PREFIX):
            # A JSON answer depends on the reader's key: a shared cache must tell
            # keys apart, and keep no copy of an answer given to one.
            patch_vary_headers(response, [PARTICIPANT_KEY_HEADER])
            if PARTICIPANT_KEY_HEADER in request.headers:
                patch_cache_control(response, private=True)
        return response


class RequestGuardMiddleware:
    """Refuses, with a 400, a request whose address carries a NUL character.

    No URL of the site has a use for one, and PostgreSQL fails on a NUL in any
    lookup, so a path or query parameter holding one would otherwise end as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            from .errors import error_response

            return error_response(
                request, 400, "bad_request", "This address contains a character that no page of this site uses."
            )
        return self.get_response(request)


class SecurityEventsMiddleware:
    """Refusals that may be probing go to the audit log as security events.

    A 403, a 429 and a failed CSRF check each write ``security.forbidden``,
    ``security.rate_limited`` or ``security.csrf_failed`` with the keyed
    network hash, never the address. At most one entry per kind and network
    each minute (counted like a rate limit), so that a flood of refusals
    cannot flood the log.
    """

    KINDS = {403: "security.forbidden", 429: "security.rate_limited"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        action = getattr(request, "security_event", None) or self.KINDS.get(response.status_code)
        if action is not None:
            try:
                record_security_event(request, action, response.status_code)
            except Exception:  # a failed log line must never turn a refusal into a 500
                logger.exception("could not record %s", action)
        return response


def record_security_event(request, action: str, status: int) -> None:
    from forum.debates.network import network_hash
    from forum.moderation.audit import audit_record

    from . import ratelimit

    network = network_hash(request)
    if ratelimit.hit("security-event", f"{action}:{network}", "1/60"):
        return  # one entry for this kind and network this minute already
    audit_record(
        action=action,
        network_hash=network,
        details={"method": request.method, "path": request.path[:200], "status": status},
    )


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def render_without_database(request, template: str, context: dict, status: int):
    """Render an error page without the context processors, which may read the
    session or the user and so need the database or the cache that just failed."""
    context = {"SITE_NAME": settings.SITE_NAME, **context}
    return HttpResponse(loader.render_to_string(template, context), status=status)


def unavailable_response(request, message: str):
    """503 in the site's design (or JSON for the API), telling the reader to retry."""
    if wants_json(request):
        response = JsonResponse({"error": "unavailable", "message": message, "fields": {}}, status=503)
    else:
        response = render_without_database(request, "503.html", {"message": message}, 503)
    response["Retry-After"] = "30"
    return response


def outage(exception: BaseException) -> str | None:
    """Which backing service an exception says is away ("database" or "cache"), if any."""
    if isinstance(exception, DATABASE_ERRORS):
        return "database"
    if isinstance(exception, CACHE_ERRORS):
        return "cache"
    return None


OUTAGE_MESSAGES = {
    "database": "The database is not answering. Please try again in a moment.",
    "cache": "Part of the site is not answering. Please try again in a moment.",
}


def _comment_handback(request):
    """The comment form again, with the author's text and idempotency key, after an outage.

    The debate could not be read either, so its slug comes from the URL.
    """
    from forum.debates.forms import CommentForm

    form = CommentForm(request.POST)
    form.is_valid()  # fills cleaned_data for the template; no database involved
    context = {
        "debate": {"slug": request.resolver_match.kwargs.get("slug", "")},
        "form": form,
        "csrf_token": get_token(request),  # read from the cookie: no storage involved
    }
    response = render_without_database(request, "debates/comment_failed.html", context, 503)
    response["Retry-After"] = "30"
    return response


# Form posts whose text an outage must hand back to the author, by URL name.
HANDBACKS = {"debates:comment-post": _comment_handback}


class DatabaseUnavailableMiddleware:
    """Turns a lost database or cache into a clean 503 instead of a 500 with a trace.

    A comment sent at that moment comes back with its text and idempotency key,
    so sending it again after recovery posts it once. The next request after
    recovery simply reconnects: nothing needs a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        service = outage(exception)
        if service is None:
            return None
        logger.error("%s unavailable: %s", service, exception.__class__.__name__)
        match = getattr(request, "resolver_match", None)
        handback = HANDBACKS.get(match.view_name) if match and request.method == "POST" else None
        if handback is not None and not wants_json(request):
            return handback(request)
        return unavailable_response(request, OUTAGE_MESSAGES[service])
