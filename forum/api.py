"""The JSON API at /api/v1, with one error shape for every failure:
``{"error": "<code>", "message": "<text>", "fields": {...}}``."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from forum.debates.api import router as debates_router
from forum.debates.api_me import router as me_router
from forum.debates.services import Refused
from forum.lib.json_parser import BadBody, NulFreeParser
from forum.moderation.api import public_router as moderation_public_router
from forum.moderation.api import router as moderation_router
from forum.moderation.api_exports import router as exports_router

api = NinjaAPI(
    title="Debate forum API",
    version="1",
    description="Anonymous participation in a debate: comments, votes, likes, reports. See docs/api.md.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # NUL removed from every string, as documented; PostgreSQL cannot store it.
    parser=NulFreeParser(),
)


def error(request, code: str, message: str, status: int, fields: dict | None = None, retry_after=None):
    response = api.create_response(request, {"error": code, "message": message, "fields": fields or {}}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(Refused)
def on_refused(request, exc: Refused):
    return error(request, exc.code, exc.message, exc.status, exc.fields, exc.retry_after)


@api.exception_handler(ValidationError)
def on_validation(request, exc: ValidationError):
    fields = {}
    for item in exc.errors:
        loc = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        fields[".".join(loc) or "body"] = item.get("msg", "invalid")
    return error(
        request,
        "invalid",
        "The request is not valid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
        400,
        fields,
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, "not_found", str(exc) or "Not found.", 404)


_HTTP_ERROR_CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, BadBody):  # django-ninja wraps the parser's error in its own
        return error(request, "invalid", str(exc.__cause__), 400, {"body": "not JSON"})
    return error(request, _HTTP_ERROR_CODES.get(exc.status_code, "error"), str(exc), exc.status_code)


@api.exception_handler(AuthenticationError)
def on_auth(request, exc):
    return error(request, "forbidden", "You are not allowed to do this.", 403)


api.add_router("/", debates_router)
api.add_router("/", me_router)
api.add_router("/", moderation_public_router)
api.add_router("/moderation", moderation_router)
api.add_router("/", exports_router)
