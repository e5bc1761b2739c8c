"""Reads of the debate page and the comments API: one code path for both.

The number of queries is fixed whatever the number of comments: a count, one
page of top-level comments, and one query for all the replies of that page.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from .models import Comment, Debate

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "top": ("-like_count", "-created_at", "-id"),
    "common_ground": ("-common_ground", "-created_at", "-id"),
}


@dataclass
class CommentPage:
    count: int  # visible comments in the debate, replies included
    page: int
    pages: int
    sort: str
    stance: str
    threads: list[Comment]  # top-level comments, each with .replies (nested)


def comment_page(debate: Debate, participant, *, sort: str = "newest", stance: str = "", page: int = 1) -> CommentPage:
    sort = sort if sort in SORTS else "newest"
    visible = Comment.objects.filter(debate=debate).visible_to(participant)
    top = visible.filter(depth=0)
    if stance == "none":
        top = top.filter(stance__isnull=True)
    elif stance:
        top = top.filter(stance__key=stance)
    per_page = settings.COMMENTS_PER_PAGE
    top_count = top.count()
    pages = max(1, math.ceil(top_count / per_page))
    page = min(max(1, page), pages)
    threads = list(top.select_related("stance").order_by(*SORTS[sort])[(page - 1) * per_page : page * per_page])
    by_id = {c.pk: c for c in threads}
    for c in threads:
        c.replies = []
    if threads:
        replies = visible.filter(thread_id__in=by_id, depth__gt=0).select_related("stance").order_by("created_at", "id")
        for reply in replies:
            reply.replies = []
            by_id[reply.pk] = reply
        for reply in (r for r in by_id.values() if r.depth > 0):
            parent = by_id.get(reply.parent_id)
            if parent is not None:
                parent.replies.append(reply)
        for c in by_id.values():
            c.replies.sort(key=lambda r: (r.created_at, r.pk))
    count = visible.filter(~Q(status=Comment.Status.DELETED)).count()
    return CommentPage(count=count, page=page, pages=pages, sort=sort, stance=stance, threads=threads)
