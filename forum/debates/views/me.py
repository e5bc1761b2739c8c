"""The participant's own key: download it, restore it on another device."""

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..identity import cookie_key, html_participant, remember_key
from ..services import participant_from_key


@never_cache
def key_download(request):
    """The key as a text file, read from the reader's own cookie (never from the URL)."""
    key = cookie_key(request)
    if html_participant(request) is None:
        return render(request, "403.html", {"message": "This browser holds no participant key."}, status=403)
    response = HttpResponse(
        f"Your secret key for {request.get_host()}:\n\n{key}\n\n"
        "Keep it private. It lets you edit or delete your comments and see or erase your data.\n"
        "To use it on another device, open the site's 'Use my key' page and paste it.\n",
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="debate-key.txt"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def key_restore(request):
    """Paste a saved key to act as that participant in this browser."""
    error = None
    if request.method == "POST":
        key = (request.POST.get("key") or "").strip()
        if participant_from_key(key) is None:
            error = "That key does not match any participant. Check that you pasted all of it."
        else:
            response = HttpResponseRedirect("/")
            remember_key(response, key, announce=False)
            return response
    return render(request, "debates/key_restore.html", {"error": error}, status=400 if error else 200)
