"""File downloads of the poll exports at
``/api/v1/debates/{slug}/exports/{kind}.{csv|json|xlsx}``.

They are plain Django views, included in ``forum/urls.py`` ahead of the ninja
API, because a file is streamed rather than serialised. The ninja ``router``
below describes the same URL in the OpenAPI document and, should the URL order
ever change, serves it with the same view. Errors use the API's JSON shape.
"""

import tempfile
from typing import Literal

from django.conf import settings
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from ninja import Path, Router

from forum.debates.api import ErrorOut
from forum.debates.identity import api_participant, html_participant
from forum.debates.models import Ballot, Debate
from forum.debates.network import network_hash
from forum.debates.results import results_visible
from forum.debates.services import Refused
from forum.lib import ratelimit

from .audit import audit_record
from .exports import CONTENT_TYPES, FORMATS, KINDS, MODERATOR_KINDS, build_export, export_access, write_text, write_xlsx
from .permissions import moderator_access


def _error(code: str, message: str, status: int, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message, "fields": {}}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _results_visible(request, debate: Debate) -> bool:
    # The results page sends the participant cookie, API clients the header.
    participant = api_participant(request) or html_participant(request)
    has_voted = participant is not None and Ballot.objects.filter(debate=debate, participant=participant).exists()
    return results_visible(debate, has_voted=has_voted)


@csrf_exempt  # it changes nothing: a POST, like any method but GET, gets the JSON 405 below
def download(request, slug: str, kind: str, fmt: str):
    """Stream one export; what only a moderator may download is written to the audit log first."""
    if request.method != "GET":  # not HEAD either: a download is counted and audited
        response = _error("method_not_allowed", "Exports are downloaded with GET.", 405)
        response["Allow"] = "GET"
        return response
    if kind not in KINDS:
        return _error("not_found", f"There is no export called {kind!r}. Try one of: {', '.join(KINDS)}.", 404)
    if fmt not in FORMATS:
        return _error("not_found", f"Exports come as {', '.join(FORMATS)}, not {fmt!r}.", 404)
    debate = Debate.objects.prefetch_related("options").filter(slug=slug).first()
    if debate is None:
        return _error("not_found", f"No debate with the slug {slug!r}.", 404)
    wait = ratelimit.hit("exports", network_hash(request), settings.RATE_LIMIT_EXPORTS)
    if wait:
        return _error(
            "rate_limited",
            f"Too many downloads from your network. Please wait {wait} seconds and try again.",
            429,
            retry_after=wait,
        )
    access = moderator_access(request)
    public = kind not in MODERATOR_KINDS and _results_visible(request, debate)
    try:
        export_access(kind=kind, debate=debate, moderator=access, results_visible=public)
    except Refused as refused:
        return _error(refused.code, refused.message, refused.status)
    if not public:  # a moderator's file, or results the poll hides from readers: on record
        audit_record(
            action="export.download",
            actor=request.user,
            target=debate,
            details={"kind": kind, "format": fmt, "via": "web"},
        )
    return export_response(build_export(debate, kind), fmt, private_data=kind in MODERATOR_KINDS)


def export_response(export, fmt: str, *, private_data: bool) -> HttpResponse:
    """The file as a download: streamed text for CSV and JSON; XLSX written to a
    temporary file first (a ZIP needs its directory at the end) and then streamed."""
    filename = export.filename(fmt)
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
        try:
            write_xlsx(export, spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        response = FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])
    else:
        chunks = (chunk.encode("utf-8", "replace") for chunk in write_text(export, fmt))
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    if private_data:
        # Personal data: never kept by a browser or proxy cache.
        patch_cache_control(response, private=True, no_store=True)
    else:
        # Whether the results show depends on who asks (their vote), so never shared.
        patch_cache_control(response, private=True, max_age=60)
        patch_vary_headers(response, ["Cookie", "X-Participant-Key"])
    return response


app_name = "exports"
urlpatterns = [
    # Any kind and format reach the view, which answers an unknown one with the API's 404.
    path("debates/<slug:slug>/exports/<str:kind>.<str:fmt>", download, name="download"),
]


# ------------------------------------------------------- OpenAPI description

router = Router(tags=["exports"])

_FILES = {
    "text/csv": {"schema": {"type": "string"}, "example": "key,label,votes,percent\r\n"},
    "application/json": {"schema": {"type": "object"}},
    CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/debates/{slug}/exports/{kind}.{fmt}",
    response={403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Download a poll export",
    description=(
        "A file download (`Content-Disposition: attachment`, the name holds the slug, the kind and the UTC date). "
        "`results` and `timeseries` are public, follow the debate's results visibility and are rate limited per "
        "network (RATE_LIMIT_EXPORTS); `ballots`, `comments` and `audit` need a moderator's logged-in session that "
        "passed two-factor, and each download is written to the audit log. Columns, types, units and rounding: "
        "docs/exports.md."
    ),
    openapi_extra={"responses": {200: {"description": "The file.", "content": _FILES}}},
)
def export_file(
    request,
    slug: str,
    kind: Literal[KINDS] = Path(..., description="results and timeseries are public; the others need a moderator"),
    fmt: Literal[FORMATS] = Path(..., description="The file format."),
):
    return download(request, slug, kind, fmt)
