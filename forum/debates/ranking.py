"""Common ground: rank comments by support from every side of the poll.

The score of a comment is the lowest, across the poll's stance groups, of the
Wilson lower confidence bound on the share of that group's likers who liked
the comment. One side alone cannot lift it: a comment that no one from some
group liked scores 0 however many likes it has. See docs/ranking.md.
"""

import math

from django.core.cache import cache
from django.db.models import Count

from .models import Comment, Debate, Like

Z = 1.645  # one-sided 95% lower bound
MIN_LIKES_SHOWN = 5  # below this no per-stance breakdown is shown
NO_VOTE = "none"


def wilson_lower_bound(successes: int, trials: int, z: float = Z) -> float:
    """Lower end of the Wilson score interval for successes out of trials."""
    if trials <= 0 or successes <= 0:
        return 0.0
    p = min(successes, trials) / trials
    denominator = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / denominator)


def common_ground_score(likes_by_stance: dict, likers_by_stance: dict, option_keys) -> float:
    """min over the stance groups that have likers of the bound on that group's share.

    Readers without a vote are shown in the breakdown but are not a side, so
    they do not enter the minimum. With fewer than two sides that like
    anything, there is no common ground to measure and every score is 0.
    """
    groups = [k for k in option_keys if likers_by_stance.get(k, 0) > 0]
    if len(groups) < 2:
        return 0.0
    return min(wilson_lower_bound(likes_by_stance.get(k, 0), likers_by_stance[k]) for k in groups)


def likers_by_stance(debate: Debate) -> dict[str, int]:
    """How many distinct readers of each stance have liked anything in the debate."""
    rows = (
        Like.objects.filter(comment__debate=debate)
        .values_list("stance_key")
        .annotate(n=Count("participant", distinct=True))
    )
    return dict(rows)


def ranked_ids(debate: Debate) -> list[tuple[int, float]]:
    """(comment id, score) of published comments with a score above 0, best first,
    ties broken by recency. Two queries, cached under the debate's version."""
    key = debate.cache_key("common-ground")
    ranked = cache.get(key)
    if ranked is None:
        option_keys = [o.key for o in debate.options.all()]
        likers = likers_by_stance(debate)
        candidates = Comment.objects.filter(debate=debate, status=Comment.Status.PUBLISHED, like_count__gte=2)
        scored = []
        for pk, counts, created_at, depth in candidates.values_list("pk", "likes_by_stance", "created_at", "depth"):
            score = common_ground_score(counts, likers, option_keys)
            if score > 0:
                scored.append((pk, round(score, 6), created_at.timestamp(), depth))
        scored.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
        ranked = [(pk, score, depth) for pk, score, _, depth in scored]
        cache.set(key, ranked, timeout=24 * 3600)
    return ranked


def stance_breakdown(comment: Comment, options) -> list[dict] | None:
    """Likes per stance for display, or None below MIN_LIKES_SHOWN likes."""
    if comment.like_count < MIN_LIKES_SHOWN:
        return None
    counts = comment.likes_by_stance or {}
    total = sum(counts.values()) or 1
    rows = []
    x = 0.0
    for position, (key, label) in enumerate([(o.key, o.label) for o in options] + [(NO_VOTE, "No vote")]):
        n = counts.get(key, 0)
        if n:
            width = round(100 * n / total, 2)
            rows.append({"key": key, "label": label, "count": n, "x": x, "width": width, "position": position})
            x = round(x + width, 2)
    return rows
