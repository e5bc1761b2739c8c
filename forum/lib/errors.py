"""Error pages in the site's design, and JSON errors under /api/."""

from django.http import JsonResponse
from django.shortcuts import render

from .middleware import wants_json


def _error(request, status, code, message):
    if wants_json(request):
        return JsonResponse({"error": code, "message": message, "fields": {}}, status=status)
    return render(request, f"{status}.html", {"message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad_request", "The request could not be understood.")


def forbidden(request, exception=None):
    return _error(request, 403, "forbidden", "You are not allowed to see this page.")


def not_found(request, exception=None):
    return _error(request, 404, "not_found", "There is nothing at this address.")


def server_error(request):
    # No template context processors here: the error may come from one of them.
    if wants_json(request):
        return JsonResponse(
            {"error": "server_error", "message": "Something went wrong on our side.", "fields": {}}, status=500
        )
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    return render(
        request,
        "403.html",
        {"message": "This form had expired or came from another site. Go back, reload the page and send it again."},
        status=403,
    )
