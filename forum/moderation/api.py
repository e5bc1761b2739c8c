"""JSON endpoints of moderation.

Two routers. ``public_router``: an author's view of their own comment's
moderation and their appeal (``X-Participant-Key``), and the transparency
figures. ``router`` (under /api/v1/moderation): the queue and its actions, for a
moderator's logged-in session that passed two-factor, with Django's CSRF token
on every write (``X-CSRFToken``); anyone else gets 403.
"""

from datetime import date, datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.security import SessionAuth
from pydantic import ConfigDict

from forum.debates.identity import api_participant
from forum.debates.models import Comment, WordRule
from forum.debates.services import Refused, appeal_create
from forum.lib.ids import JsonId

from .authors import own_comment_status
from .models import AuditEntry, BanDuration, RejectReason
from .permissions import Access, moderator_access
from .queue import TAB_KEYS, queue_page
from .services import (
    Decision,
    ban_create,
    ban_lift,
    bans_for_comments,
    bans_lift_for_comments,
    comment_decide,
    comments_decide,
    note_create,
    rule_create,
    rule_delete,
)
from .transparency import monthly_report

_REFUSALS = {
    Access.LOGIN: "Log in as a moderator first.",
    Access.FORBIDDEN: "This is for moderators only.",
    Access.SETUP_2FA: "Set up two-factor authentication at /accounts/2fa/ first.",
    Access.CODE_2FA: "Enter a two-factor code at /accounts/2fa/reauthenticate/ first.",
}


class ModeratorSession(SessionAuth):
    """A logged-in moderator's session that passed two-factor; CSRF checked on writes."""

    def authenticate(self, request, key):
        access = moderator_access(request)
        if access != Access.OK:
            raise Refused("forbidden", _REFUSALS[access], status=403)
        return request.user


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict


# ---------------------------------------------------------------------- public

public_router = Router(tags=["moderation (authors)"])


class ReasonOut(Schema):
    code: str
    text: str


class AppealOut(Schema):
    note: str
    created_at: datetime
    decided_at: datetime | None
    outcome: str


class OwnStatusOut(Schema):
    id: int
    status: str
    reasons: list[ReasonOut]
    appeal: AppealOut | None
    can_appeal: bool


def _own_status_out(s) -> dict:
    appeal = s.appeal
    return {
        "id": s.comment.pk,
        "status": s.comment.status,
        "reasons": [{"code": code, "text": text} for code, text in s.reasons],
        "appeal": (
            {
                "note": appeal.note,
                "created_at": appeal.created_at,
                "decided_at": appeal.decided_at,
                "outcome": appeal.outcome,
            }
            if appeal
            else None
        ),
        "can_appeal": s.can_appeal,
    }


@public_router.get("/comments/{id:comment_id}/moderation", response={200: OwnStatusOut, 404: ErrorOut})
def own_status(request, comment_id: int):
    """The status of one's own comment, why it was held or rejected, and the appeal."""
    return _own_status_out(own_comment_status(comment_id=comment_id, participant=api_participant(request)))


class AppealIn(Strict):
    note: str = Field(..., max_length=2000)


@public_router.post(
    "/comments/{id:comment_id}/appeal", response={201: OwnStatusOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def appeal(request, comment_id: int, payload: AppealIn):
    """Appeal a hold or a rejection of one's own comment, once, with a short note."""
    participant = api_participant(request)
    own_comment_status(comment_id=comment_id, participant=participant)  # 404 for anyone but the author
    appeal_create(comment_id=comment_id, participant=participant, note=payload.note)
    return 201, _own_status_out(own_comment_status(comment_id=comment_id, participant=participant))


class TallyOut(Schema):
    outcome: str
    total: int
    reasons: dict[str, int]


class MonthOut(Schema):
    month: str
    outcomes: list[TallyOut]


@public_router.get("/transparency", response=list[MonthOut], tags=["transparency"])
def transparency(request):
    """Per month: comments published, held, rejected and removed, by reason code. Counts only."""
    return [
        {
            "month": m["month"].strftime("%Y-%m"),
            "outcomes": [
                {"outcome": r["outcome"], "total": r["total"], "reasons": {code: n for code, _, n in r["reasons"]}}
                for r in m["rows"]
            ],
        }
        for m in monthly_report()
    ]


# ------------------------------------------------------------------ moderators

router = Router(auth=ModeratorSession(), tags=["moderation"])


class ReportOut(Schema):
    reason: str
    note: str
    created_at: datetime
    open: bool


class RevisionOut(Schema):
    body: str
    created_at: datetime


class HistoryOut(Schema):
    participant: int
    first_seen: datetime | None
    comments: int
    published: int
    pending: int
    rejected: int
    spam: int
    notes: list[str]
    banned_until: datetime | None
    banned_permanently: bool


class ItemOut(Schema):
    id: int
    debate: str
    author_name: str
    body: str
    body_html: str
    status: str
    reasons: list[str]
    created_at: datetime
    edited_at: datetime | None
    reports: list[ReportOut]
    revisions: list[RevisionOut]
    appeal: str | None
    history: HistoryOut | None
    suggested_reason: str
    listed_replies: int


class QueueOut(Schema):
    tab: str
    counts: dict[str, int]
    page: int
    pages: int
    items: list[ItemOut]


def _item_out(c: Comment) -> dict:
    h = c.history
    return {
        "id": c.pk,
        "debate": c.debate.slug,
        "author_name": c.author_name,
        "body": c.body,
        "body_html": c.body_html,
        "status": c.status,
        "reasons": c.reasons,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "reports": [
            {"reason": r.reason, "note": r.note, "created_at": r.created_at, "open": r.resolved_at is None}
            for r in c.report_list
        ],
        "revisions": [{"body": r.body, "created_at": r.created_at} for r in c.revision_list],
        "appeal": c.appeal_open.note if c.appeal_open else None,
        "history": (
            {
                "participant": c.participant_id,
                "first_seen": h.first_seen,
                "comments": h.total,
                "published": h.published,
                "pending": h.pending,
                "rejected": h.rejected + h.spam,  # taken down, for whatever reason
                "spam": h.spam,
                "notes": [n.body for n in h.notes],
                "banned_until": h.ban.expires_at if h.ban else None,
                "banned_permanently": bool(h.ban and h.ban.expires_at is None),
            }
            if h
            else None
        ),
        "suggested_reason": c.suggested_reason,
        "listed_replies": c.listed_replies,
    }


@router.get("/queue", response={200: QueueOut, 403: ErrorOut})
def queue(request, tab: str = "pending", page: int = 1):
    """One page of a queue tab (pending, reported, appeals, approved, published, rejected, spam) and every count."""
    if tab not in TAB_KEYS:
        raise Refused("invalid", f"Unknown tab; use one of {', '.join(TAB_KEYS)}.", fields={"tab": "unknown"})
    result = queue_page(tab, page)
    return {
        "tab": result.tab,
        "counts": result.counts,
        "page": result.page,
        "pages": result.pages,
        "items": [_item_out(c) for c in result.items],
    }


class DecisionIn(Strict):
    action: str = Field(..., description="approve, reject or spam")
    reason: str = Field("", description="For reject: " + ", ".join(RejectReason.values))


class DecisionOut(Schema):
    id: int
    status: str
    reasons: list[str]


@router.post(
    "/comments/{id:comment_id}/decision", response={200: DecisionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def decide(request, comment_id: int, payload: DecisionIn):
    """Approve, reject (with a reason from the fixed list) or mark one comment as spam."""
    comment = comment_decide(
        comment_id=comment_id, moderator=request.auth, decision=payload.action, reason=payload.reason
    )
    return {"id": comment.pk, "status": comment.status, "reasons": comment.reasons}


class BulkIn(Strict):
    ids: list[JsonId] = Field(..., min_length=1, max_length=500)
    action: str = Field(..., description="approve, reject, spam, ban or unban")
    reason: str = ""
    duration: str = Field("", description="For ban: " + ", ".join(BanDuration.values))
    ban_reason: str = Field("", max_length=2000)
    covers_network: bool = Field(True, description="For ban: also block each author's latest network.")


class BulkOut(Schema):
    done: int
    refused: list[str]


@router.post("/bulk", response={200: BulkOut, 400: ErrorOut, 403: ErrorOut})
def bulk(request, payload: BulkIn):
    """Apply one action to many comments (or, for ban and unban, to their authors)."""
    if payload.action == "ban":
        result = bans_for_comments(
            comment_ids=payload.ids,
            moderator=request.auth,
            duration=payload.duration,
            reason=payload.ban_reason,
            covers_network=payload.covers_network,
        )
    elif payload.action == "unban":
        result = bans_lift_for_comments(comment_ids=payload.ids, moderator=request.auth)
    elif payload.action in Decision.ALL:
        result = comments_decide(
            comment_ids=payload.ids, moderator=request.auth, decision=payload.action, reason=payload.reason
        )
    else:
        raise Refused("invalid", "Choose approve, reject, spam, ban or unban.", fields={"action": "unknown"})
    return {"done": result.done, "refused": result.refused}


class BanIn(Strict):
    duration: str = Field(..., description=", ".join(BanDuration.values))
    reason: str = Field(..., max_length=2000)
    covers_network: bool = Field(
        True, description="Also block the network the participant last used, until its hash changes (within a day)."
    )
    reject_pending: bool = False
    reject_reason: str = Field(
        RejectReason.OTHER, description="With reject_pending, the reason: " + ", ".join(RejectReason.values)
    )


class BanOut(Schema):
    id: int
    participant: int
    expires_at: datetime | None
    covers_network: bool
    rejected: int = Field(..., description="How many of their comments awaiting review were rejected.")


@router.post(
    "/participants/{id:participant_id}/ban", response={201: BanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def ban(request, participant_id: int, payload: BanIn):
    """Ban a participant (and, unless told not to, its latest network hash) for 1 day, 1 week or permanently."""
    created = ban_create(participant_id=participant_id, moderator=request.auth, **payload.model_dump())
    return 201, {
        "id": created.pk,
        "participant": participant_id,
        "expires_at": created.expires_at,
        "covers_network": bool(created.network_hash),
        "rejected": created.rejected,
    }


@router.delete("/participants/{id:participant_id}/ban", response={204: None, 403: ErrorOut, 409: ErrorOut})
def unban(request, participant_id: int):
    """Lift the bans in force against a participant."""
    ban_lift(participant_id=participant_id, moderator=request.auth)
    return HttpResponse(status=204)


class NoteIn(Strict):
    body: str = Field(..., max_length=4000)


class NoteOut(Schema):
    id: int
    body: str


@router.post(
    "/participants/{id:participant_id}/notes", response={201: NoteOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def note(request, participant_id: int, payload: NoteIn):
    """A private moderator note about a participant."""
    created = note_create(participant_id=participant_id, moderator=request.auth, body=payload.body)
    return 201, {"id": created.pk, "body": created.body}


class RuleIn(Strict):
    pattern: str = Field(..., max_length=400)
    action: str = Field(..., description="reject (banned word) or hold (suspect word)")


class RuleOut(Schema):
    id: int
    pattern: str
    action: str


@router.get("/rules", response={200: list[RuleOut], 403: ErrorOut})
def rules(request):
    """The banned (reject) and suspect (hold) words; ``*`` matches any letters."""
    return [{"id": r.pk, "pattern": r.pattern, "action": r.action} for r in WordRule.objects.order_by("pattern")]


@router.post("/rules", response={201: RuleOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def add_rule(request, payload: RuleIn):
    rule = rule_create(pattern=payload.pattern, action=payload.action, moderator=request.auth)
    return 201, {"id": rule.pk, "pattern": rule.pattern, "action": rule.action}


@router.delete("/rules/{id:rule_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_rule(request, rule_id: int):
    rule_delete(rule_id=rule_id, moderator=request.auth)
    return HttpResponse(status=204)


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    reason: str
    status_before: str
    status_after: str
    details: dict


@router.get("/audit", response={200: list[AuditOut], 403: ErrorOut})
def audit(
    request,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int = 100,
):
    """The latest audit entries matching the filters (``action`` matches a prefix), at most 1,000."""
    limit = min(max(1, limit), 1000)
    entries = AuditEntry.objects.filtered(
        action=action, actor=actor, target_type=target_type, target_id=target_id, since=since, until=until
    )[:limit]
    return [
        {
            "id": e.pk,
            "created_at": e.created_at,
            "actor": e.actor_label,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "reason": e.reason,
            "status_before": e.status_before,
            "status_after": e.status_after,
            "details": e.details,
        }
        for e in entries
    ]
