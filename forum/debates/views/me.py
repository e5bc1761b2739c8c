"""My data: see, download and erase everything; download, restore and change the key.

Every page here reads the key from the HttpOnly cookie only, never from the
URL, and none is cached. The API twins live in ``forum/debates/api_me.py``;
both call ``forum.debates.privacy``.
"""

import json
import re
from http import HTTPStatus

from django.conf import settings
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from forum.lib.screening import without_invisible

from ..identity import cookie_key, forget_key, html_participant, remember_key
from ..models import PollOption
from ..network import network_hash
from ..privacy import (
    data_counts,
    describe_counts,
    my_data_rate_limit,
    participant_data,
    participant_erase,
    participant_rotate_key,
)
from ..ranking import NO_VOTE
from ..services import Refused, participant_from_key
from .pages import RESTORED

NO_KEY = "This browser holds no participant key, so there is no data to show or erase here."


def _refused(request, refused: Refused):
    template = "429.html" if refused.status == HTTPStatus.TOO_MANY_REQUESTS else "403.html"
    response = render(request, template, {"message": refused.message}, status=refused.status)
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _guarded(request):
    """The participant behind the cookie after the abuse-level rate limit, or a Refused."""
    participant = html_participant(request)
    my_data_rate_limit(participant=participant, network_hash=network_hash(request))
    if participant is None:
        raise Refused("no_participant", NO_KEY, status=HTTPStatus.FORBIDDEN)
    return participant


def _guess_refused(request):
    """For a request whose key matches no one: the 429 page once its network has
    guessed too often (counted as the API counts such a key), else None."""
    try:
        my_data_rate_limit(participant=None, network_hash=network_hash(request))
    except Refused as refused:
        return _refused(request, refused)
    return None


@never_cache
@require_GET  # not HEAD: each look at one's data is counted against its rate limit
def my_data(request):
    """Everything held about the reader, on one page, with the ways to act on it."""
    participant = html_participant(request)
    if participant is None:
        # A cookie is a guess as cheap to change as the API's header.
        if refusal := _guess_refused(request):
            return refusal
        # A key that no longer matches anyone: erased or replaced, perhaps from
        # another device, or purged after going unused. Say so, and forget it.
        stale = bool(cookie_key(request))
        context = {"data": None, "stale_key": stale, "retention_days": settings.RETENTION_INACTIVE_PARTICIPANT_DAYS}
        response = render(request, "debates/me.html", context)
        if stale:
            forget_key(response)
        return response
    try:
        participant = _guarded(request)
    except Refused as refused:
        return _refused(request, refused)
    data = participant_data(participant)
    # Debates' titles and answers' labels, for the pages' words (the data keeps slugs and keys), in one query.
    slugs = {c["debate"] for c in data["comments"]} | {like["debate"] for like in data["likes"]}
    titles, labels = {}, {}
    for slug, title, key, label in PollOption.objects.filter(debate__slug__in=slugs).values_list(
        "debate__slug", "debate__title", "key", "label"
    ):
        titles[slug] = title
        labels[slug, key] = label
    for comment in data["comments"]:
        comment["debate_title"] = titles.get(comment["debate"], comment["debate"])
    for like in data["likes"]:
        stance = like["your_stance_when_liked"]
        like["stance_label"] = "No vote" if stance == NO_VOTE else labels.get((like["debate"], stance), stance)
    return render(request, "debates/me.html", {"data": data, "counts": data_counts(data)})


@never_cache
@require_GET  # not HEAD: counted against the rate limit
def my_data_download(request):
    """The same data as one JSON file."""
    try:
        participant = _guarded(request)
    except Refused as refused:
        return _refused(request, refused)
    response = HttpResponse(
        json.dumps(participant_data(participant), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.now():%Y-%m-%d}.json"'
    return response


# What an erasure erased, for the page the erasure leads to: a signed cookie
# of the counts and the time, so that reloading that page shows them again
# (the key is gone by then) and they never appear in a URL or a log line.
ERASED_COOKIE = "__Host-erased" if settings.HTTPS else "erased"
ERASED_SALT = "forum.debates.erased"
ERASED_MAX_AGE = 3600


@never_cache
@require_http_methods(["GET", "POST"])
def my_data_erase(request):
    """GET lists what will be erased; POST erases it all, then redirects to the
    page that lists what was (``?done=1``), so that reloading it asks nothing
    and erases nothing."""
    if request.method == "GET" and request.GET.get("done"):
        return _erased(request)
    try:
        participant = _guarded(request)
    except Refused as refused:
        return _refused(request, refused)
    if request.method == "GET":
        data = participant_data(participant)
        rows = describe_counts({"participant": 1, **data_counts(data)})
        return render(request, "debates/me_erase.html", {"data": data, "rows": rows})
    try:
        erased = participant_erase(participant)
    except Refused as refused:
        return _refused(request, refused)
    response = HttpResponseRedirect(f"{reverse('debates:me-erase')}?done=1")
    response.status_code = HTTPStatus.SEE_OTHER
    # Signed, compressed, URL-safe base64: a cookie's value holds no quote or comma.
    receipt = signing.dumps({"counts": erased, "at": timezone.now().isoformat()}, salt=ERASED_SALT, compress=True)
    response.set_cookie(
        ERASED_COOKIE, receipt, max_age=ERASED_MAX_AGE, httponly=True, samesite="Lax", secure=settings.HTTPS
    )
    forget_key(response)
    return response


def _erased(request):
    """The list of what the erasure just made erased, from its signed cookie;
    without one (an hour later, another browser), the My data page."""
    try:
        receipt = signing.loads(request.COOKIES.get(ERASED_COOKIE, ""), salt=ERASED_SALT, max_age=ERASED_MAX_AGE)
    except signing.BadSignature:  # none, forged or over an hour old (SignatureExpired is one)
        return HttpResponseRedirect(reverse("debates:me"))
    context = {"rows": describe_counts(receipt["counts"]), "erased_at": parse_datetime(receipt["at"])}
    return render(request, "debates/me_erased.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def key_rotate(request):
    """GET explains; POST replaces the key, then redirects to the page that shows
    the new one (``?done=1``, read from the cookie), so that reloading that page
    shows the same key again instead of replacing the one just saved."""
    try:
        participant = _guarded(request)
    except Refused as refused:
        return _refused(request, refused)
    if request.method == "GET":
        if request.GET.get("done"):
            return render(request, "debates/me_key_rotated.html", {"new_key": cookie_key(request)})
        return render(request, "debates/me_key_rotate.html", {})
    try:
        key = participant_rotate_key(participant)
    except Refused as refused:
        return _refused(request, refused)
    response = HttpResponseRedirect(f"{reverse('debates:key-rotate')}?done=1")
    response.status_code = HTTPStatus.SEE_OTHER
    remember_key(response, key, announce=False)
    return response


@never_cache
def key_download(request):
    """The key as a text file, read from the reader's own cookie (never from the URL)."""
    key = cookie_key(request)
    if html_participant(request) is None:
        return _guess_refused(request) or render(
            request, "403.html", {"message": "This browser holds no participant key."}, status=403
        )
    response = HttpResponse(
        f"Your secret key for {request.get_host()}:\n\n{key}\n\n"
        "Keep it private. It lets you edit or delete your comments and see or erase your data.\n"
        f"To use it on another device, paste it at {request.build_absolute_uri(reverse('debates:key-restore'))}\n"
        "It cannot be recovered if lost: the site keeps only a scrambled copy (hash) of it.\n",
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="debate-key.txt"'
    return response


# The key in the text of the file key_download writes, pasted whole: with its
# line breaks, or without them, as a one-line field drops them.
_KEY_IN_FILE = re.compile(r"Your secret key for \S+?:\s*([A-Za-z0-9_-]{32})")


def pasted_key(text: str) -> str:
    """The key in what a reader pasted: the field's text without what shows
    nothing (a zero-width space copied from a chat) or breaks a line (keys hold
    no white space), or the key picked out of the whole downloaded file."""
    text = without_invisible(text)
    found = _KEY_IN_FILE.search(text)
    return found.group(1) if found else "".join(text.split())


@never_cache
@require_http_methods(["GET", "POST"])
def key_restore(request):
    """Paste a saved key to act as that participant in this browser."""
    error, key, status, retry_after = None, "", HTTPStatus.OK, None
    if request.method == "POST":
        key = (request.POST.get("key") or "").strip()
        restored = pasted_key(key)
        try:  # each try is a guess at a key: counted per network, as on /me/
            my_data_rate_limit(participant=None, network_hash=network_hash(request))
            if participant_from_key(restored) is None:
                raise Refused("no_match", "That key does not match any participant. Check that you pasted all of it.")
        except Refused as refused:
            error, status, retry_after = refused.message, refused.status, refused.retry_after
        else:
            # The debate page then says that this browser now acts as the key's holder.
            response = HttpResponseRedirect(f"{reverse('home')}?{RESTORED}=1#key-restored")
            remember_key(response, restored, announce=False)
            return response
    # A key that matches nothing comes back in the field, to be checked against the saved one.
    context = {"error": error, "key": key, "holds_key": html_participant(request) is not None}
    response = render(request, "debates/key_restore.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
