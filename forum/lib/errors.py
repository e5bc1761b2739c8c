"""Error pages in the site's design, and JSON errors under /api/."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from .middleware import OUTAGE_MESSAGES, outage, unavailable_response, wants_json


def error_response(request, status: int, code: str, message: str):
    """An error as the site's page, or as the API's JSON error shape."""
    if wants_json(request):
        return JsonResponse({"error": code, "message": message, "fields": {}}, status=status)
    template = {413: "400.html"}.get(status, f"{status}.html")
    return render(request, template, {"message": message}, status=status)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return error_response(
            request,
            413,
            "too_large",
            f"This request is too large: we accept up to {limit:,} KB at once, "
            f"and a comment can be {settings.COMMENT_MAX_LENGTH:,} characters long.",
        )
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return error_response(
            request, 400, "too_many_fields", "This request has too many fields to be a form of this site."
        )
    return error_response(request, 400, "bad_request", "The request could not be understood.")


def forbidden(request, exception=None):
    return error_response(request, 403, "forbidden", "You are not allowed to see this page.")


def not_found(request, exception=None):
    return error_response(request, 404, "not_found", "There is nothing at this address.")


def server_error(request):
    # An outage that surfaced outside a view (in a middleware, say) is still a 503.
    service = outage(sys.exc_info()[1])
    if service is not None:
        return unavailable_response(request, OUTAGE_MESSAGES[service])
    # No template context processors here: the error may come from one of them.
    if wants_json(request):
        return JsonResponse(
            {"error": "server_error", "message": "Something went wrong on our side.", "fields": {}}, status=500
        )
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    request.security_event = "security.csrf_failed"  # recorded by SecurityEventsMiddleware
    # A comment, reply, edit or report note sent from this site (an expired session,
    # cleared cookies) comes back to copy, read-only. Not one posted from another
    # site: it would show that site's words on ours.
    same_site = request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none") and not (
        reason.startswith(("Origin checking failed", "Referer checking failed"))
    )
    fields = ("body", "note") if same_site else ()
    kept = next((request.POST[name] for name in fields if request.POST.get(name, "").strip()), "")
    message = "This form had expired or came from another site. Go back, reload the page and send it again."
    if kept:
        message = (
            "This form had expired or came from another site. Copy your text below, reload the page and send it again."
        )
    return render(request, "403.html", {"message": message, "kept_text": kept}, status=403)
