"""Response headers and failure handling that apply to every request."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
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
        return response


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
