"""What the author of a comment may know about its moderation: the status, the
reasons in plain words, and the state of their single appeal."""

from dataclasses import dataclass

from forum.debates.models import Appeal, Comment, Participant
from forum.debates.services import Refused

from .reasons import for_author

Status = Comment.Status
APPEALABLE = (Status.PENDING, Status.REJECTED, Status.SPAM)

_STATUS_TEXT = {
    Status.PUBLISHED: "Published: everyone can read it.",
    Status.PENDING: "Awaiting moderation: only you can see it until a moderator decides.",
    Status.REJECTED: "Rejected: it is not shown on the debate, only to you on this page.",
    Status.SPAM: "Rejected as spam: it is not shown on the debate, only to you on this page.",
}


@dataclass
class OwnStatus:
    comment: Comment
    status_text: str
    reasons: list[tuple[str, str]]  # (code, sentence for the author)
    appeal: Appeal | None
    can_appeal: bool


# Added for a hidden comment that replies keep listed as a placeholder.
_PLACEHOLDER_TEXT = " Others see a placeholder without its text in its place, above the replies to it."


def _status(comment: Comment) -> OwnStatus:
    try:
        appeal = comment.appeal
    except Appeal.DoesNotExist:
        appeal = None
    status_text = _STATUS_TEXT.get(comment.status, comment.get_status_display())
    return OwnStatus(
        comment=comment,
        status_text=status_text + (_PLACEHOLDER_TEXT if comment.placeholder else ""),
        reasons=[(code, for_author(code)) for code in comment.reasons],
        appeal=appeal,
        can_appeal=appeal is None and comment.status in APPEALABLE,
    )


def own_comment_status(*, comment_id: int, participant: Participant | None) -> OwnStatus:
    """The moderation status of one's own comment; anyone else gets a 404."""
    comment = (
        Comment.objects.select_related("debate", "appeal").filter(pk=comment_id).exclude(status=Status.DELETED).first()
    )
    if comment is None or participant is None or comment.participant_id != participant.pk:
        raise Refused("not_found", "That comment does not exist, or it is not yours.", status=404)
    return _status(comment)


def own_comments(participant: Participant, limit: int = 200) -> list[OwnStatus]:
    """The participant's comments with their moderation status, newest first."""
    comments = (
        Comment.objects.filter(participant=participant)
        .exclude(status=Status.DELETED)
        .select_related("debate", "appeal")
        .order_by("-created_at", "-id")[:limit]
    )
    return [_status(c) for c in comments]
