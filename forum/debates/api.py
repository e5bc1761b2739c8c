"""Public JSON endpoints. Participants authenticate with ``X-Participant-Key`` only."""

import hashlib
import json
from datetime import datetime

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict

from forum.lib.ids import JsonId

from .identity import api_participant
from .models import Ballot, Comment, Debate
from .network import network_hash
from .ranking import NO_VOTE
from .reading import RecentCopies, comment_page, complete, debate_read, shared_page_params, with_options
from .results import poll_counts, results_visible
from .services import comment_create, comment_delete, comment_edit, like_toggle, report_create, vote_cast, vote_withdraw

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class OptionOut(Schema):
    key: str
    label: str


class DebateOut(Schema):
    slug: str
    title: str
    question: str
    options: list[OptionOut]
    comments_open: bool
    poll_open: bool


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict


def _debate_out(debate: Debate) -> dict:
    return {
        "slug": debate.slug,
        "title": debate.title,
        "question": debate.question,
        "options": [{"key": o.key, "label": o.label} for o in debate.options.all()],
        "comments_open": debate.comments_open,
        "poll_open": debate.is_poll_open(),
    }


def _debate(slug: str) -> Debate:
    debate = debate_read(slug)
    if debate is None:
        raise Http404(f"No debate with the slug {slug!r}.")
    return with_options(debate)


@router.get("/debates", response=list[DebateOut], tags=["debates"])
def list_debates(request):
    return [_debate_out(d) for d in Debate.objects.listed()]


@router.get("/debates/{slug}", response={200: DebateOut, 404: ErrorOut}, tags=["debates"])
def get_debate(request, slug: str):
    return _debate_out(_debate(slug))


# -------------------------------------------------------------------- comments


class CommentIn(Strict):
    body: str = Field(..., max_length=20000)
    author_name: str | None = Field(None, max_length=400)
    parent_id: JsonId | None = None
    idempotency_key: str | None = Field(None, max_length=64)


class CommentCreatedOut(Schema):
    id: int
    status: str
    participant_key: str | None = None


class CommentOut(Schema):
    id: int
    parent_id: int | None
    reply_to_id: int | None
    author_name: str
    stance: str | None
    body_html: str
    status: str
    created_at: datetime
    edited_at: datetime | None
    likes: int
    likes_by_stance: dict[str, int] | None
    replies: list["CommentOut"]


class CommentPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CommentOut]


def comment_out(c: Comment, keys: list[str]) -> dict:
    # Given only while the comment answered is listed (perhaps as a placeholder), as the page links it.
    answered = getattr(c, "answering", None)
    return {
        "id": c.pk,
        "parent_id": c.parent_id,
        "reply_to_id": answered.pk if answered is not None else None,
        "author_name": c.author_name if not c.is_deleted else "",
        "stance": c.stance.key if c.stance_id and c.stance else None,
        "body_html": c.body_html,
        "status": "removed" if getattr(c, "removed", False) else c.status,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "likes": c.like_count,
        "likes_by_stance": {k: c.likes_by_stance.get(k, 0) for k in keys} if c.stance_bar is not None else None,
        "replies": [comment_out(r, keys) for r in c.replies],
    }


def _comment_page_out(debate: Debate, participant, sort: str, stance: str, page: int) -> dict:
    result = comment_page(debate, participant, sort=sort, stance=stance, page=page)
    keys = [o.key for o in debate.options.all()] + [NO_VOTE]
    return {
        "count": result.count,
        "page": result.page,
        "pages": result.pages,
        "results": [comment_out(c, keys) for c in result.threads],
    }


# Readers without a key all get the same JSON: each process keeps the latest.
_SHARED_PAGES = RecentCopies(size=16)


def _shared_comment_page(slug: str, sort: str, stance: str, page: int) -> HttpResponse:
    """The comments as every reader without a key sees them, serialised once per
    version of the debate; a hit costs one query, the debate's key (and one more
    with a stance filter, checked against the poll's answers)."""
    debate = debate_read(slug, keyed=True)
    if debate is None:
        raise Http404(f"No debate with the slug {slug!r}.")
    sort, stance, page = shared_page_params(debate, sort, stance, page)

    def render() -> bytes:
        with_options(complete(debate))
        out = _comment_page_out(debate, None, sort, stance, page)
        return json.dumps(CommentPageOut.model_validate(out).model_dump(), cls=NinjaJSONEncoder).encode()

    stance_digest = hashlib.sha256(stance.encode()).hexdigest()[:16]
    body = _SHARED_PAGES.get(debate.cache_key("api-comments", sort, page, stance_digest), render)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/debates/{slug}/comments", response={200: CommentPageOut, 404: ErrorOut}, tags=["comments"])
def list_comments(request, slug: str, sort: str = "newest", stance: str = "", page: int = 1):
    if not request.headers.get("X-Participant-Key"):
        return _shared_comment_page(slug, sort, stance, page)
    return _comment_page_out(_debate(slug), api_participant(request), sort, stance, page)


@router.post(
    "/debates/{slug}/comments",
    response={201: CommentCreatedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    tags=["comments"],
    exclude_unset=True,
)
def create_comment(request, slug: str, payload: CommentIn):
    # Posting needs no options: the debate row alone, without _debate's prefetch.
    debate = debate_read(slug)
    if debate is None:
        raise Http404(f"No debate with the slug {slug!r}.")
    created = comment_create(
        debate=debate,
        participant=api_participant(request),
        body=payload.body,
        author_name=payload.author_name,
        parent_id=payload.parent_id,
        network_hash=network_hash(request),
        idempotency_key=payload.idempotency_key or request.headers.get("Idempotency-Key", ""),
    )
    out = {"id": created.comment.pk, "status": created.comment.status}
    if created.new_key:
        out["participant_key"] = created.new_key
    return 201, out


class EditIn(Strict):
    body: str = Field(..., max_length=20000)


class EditedOut(Schema):
    id: int
    status: str
    body_html: str
    edited_at: datetime | None


@router.patch(
    "/comments/{id:comment_id}",
    response={200: EditedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=["comments"],
)
def edit_comment(request, comment_id: int, payload: EditIn):
    comment = comment_edit(comment_id=comment_id, participant=api_participant(request), body=payload.body)
    return {"id": comment.pk, "status": comment.status, "body_html": comment.body_html, "edited_at": comment.edited_at}


@router.delete("/comments/{id:comment_id}", response={204: None, 403: ErrorOut, 404: ErrorOut}, tags=["comments"])
def delete_comment(request, comment_id: int):
    comment_delete(comment_id=comment_id, participant=api_participant(request))
    return HttpResponse(status=204)


class LikeOut(Schema):
    likes: int
    liked: bool
    participant_key: str | None = None


@router.post(
    "/comments/{id:comment_id}/like",
    response={200: LikeOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    tags=["comments"],
    exclude_unset=True,
)
def like_comment(request, comment_id: int):
    comment, liked, new_key = like_toggle(
        comment_id=comment_id, participant=api_participant(request), network_hash=network_hash(request)
    )
    out = {"likes": comment.like_count, "liked": liked}
    if new_key:
        out["participant_key"] = new_key
    return out


class ReportIn(Strict):
    reason: str
    note: str | None = Field(None, max_length=2000)


class ReportOut(Schema):
    id: int
    reason: str
    participant_key: str | None = None


@router.post(
    "/comments/{id:comment_id}/reports",
    response={201: ReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    tags=["comments"],
    exclude_unset=True,
)
def report_comment(request, comment_id: int, payload: ReportIn):
    report, new_key = report_create(
        comment_id=comment_id,
        participant=api_participant(request),
        reason=payload.reason,
        note=payload.note or "",
        network_hash=network_hash(request),
    )
    out = {"id": report.pk, "reason": report.reason}
    if new_key:
        out["participant_key"] = new_key
    return 201, out


# ------------------------------------------------------------------------ poll


class ResultOptionOut(Schema):
    key: str
    label: str
    votes: int | None
    percent: float | None


class ResultsOut(Schema):
    question: str
    visible: bool
    total: int | None
    options: list[ResultOptionOut]
    changed_minds: int | None
    updated_at: str | None


def results_out(debate: Debate, participant, *, has_voted: bool | None = None, sums: dict | None = None) -> dict:
    if has_voted is None:
        has_voted = participant is not None and Ballot.objects.filter(debate=debate, participant=participant).exists()
    visible = results_visible(debate, has_voted=has_voted)
    if not visible:
        return {
            "question": debate.question,
            "visible": False,
            "total": None,
            "options": [{"key": o.key, "label": o.label, "votes": None, "percent": None} for o in debate.options.all()],
            "changed_minds": None,
            "updated_at": None,
        }
    r = poll_counts(debate, sums)
    return {
        "question": r["question"],
        "visible": True,
        "total": r["total"],
        "options": r["options"],
        "changed_minds": r["changed_minds"],
        "updated_at": r["updated_at"],
    }


class VoteIn(Strict):
    option: str = Field(..., max_length=100)


class VoteOut(Schema):
    option: str
    changed: bool
    participant_key: str | None = None
    results: ResultsOut | None


@router.post(
    "/debates/{slug}/vote",
    response={200: VoteOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    tags=["poll"],
    exclude_unset=True,
)
def cast_vote(request, slug: str, payload: VoteIn):
    debate = _debate(slug)
    result = vote_cast(
        debate=debate,
        participant=api_participant(request),
        option_key=payload.option,
        network_hash=network_hash(request),
    )
    results = results_out(debate, result.participant, has_voted=True, sums=result.sums)
    out = {"option": payload.option, "changed": result.changed, "results": results if results["visible"] else None}
    if result.new_key:
        out["participant_key"] = result.new_key
    # Serialised here, not validated by django-ninja against VoteOut on the way out:
    # that cost a tenth of the vote. A test holds the answer to the schema.
    return HttpResponse(json.dumps(out), content_type="application/json; charset=utf-8")


@router.delete("/debates/{slug}/vote", response={204: None, 404: ErrorOut}, tags=["poll"])
def withdraw_vote(request, slug: str):
    vote_withdraw(debate=_debate(slug), participant=api_participant(request))
    return HttpResponse(status=204)


@router.get("/debates/{slug}/results", response={200: ResultsOut, 404: ErrorOut}, tags=["poll"])
def get_results(request, slug: str):
    return results_out(_debate(slug), api_participant(request))
