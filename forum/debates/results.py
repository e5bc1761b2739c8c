"""Poll results, computed in three queries and cached under the debate's version.

Every vote bumps the version, so a cached result is never stale: the next
request after a change computes and caches the new one.
"""

import datetime
from collections.abc import Iterator

from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.utils import timezone

from forum.lib import prepared

from .models import Ballot, Comment, DailyTally, Debate
from .reading import RecentCopies


def shares(counts: list[int], decimals: int = 1) -> list[float]:
    """Percentages that add up to exactly 100 (largest remainder), or zeros."""
    total = sum(counts)
    if not total:
        return [0.0 for _ in counts]
    scale = 10**decimals
    raw = [c * 100 * scale / total for c in counts]
    floors = [int(r) for r in raw]
    missing = 100 * scale - sum(floors)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)[:missing]:
        floors[i] += 1
    return [f / scale for f in floors]


def count_ballots(debate: Debate, options) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Current ballots per option (in the options' order) and the changes of
    mind as (first option id, current option id, count), from one aggregate
    over the ballots: the ground truth the results page and the exports share."""
    matrix = (
        Ballot.objects.filter(debate=debate)
        .values_list("first_option_id", "option_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    votes = {o.pk: 0 for o in options}
    moves = []
    for first_id, current_id, n in matrix:
        votes[current_id] = votes.get(current_id, 0) + n
        if first_id != current_id:
            moves.append((first_id, current_id, n))
    return [votes[o.pk] for o in options], moves


def compute_results(debate: Debate) -> dict:
    options = list(debate.options.all())
    counts, moves = count_ballots(debate, options)
    labels = {o.pk: o for o in options}
    changed = sum(n for _, _, n in moves)
    flows = [{"from": labels[a].key, "to": labels[b].key, "count": n} for a, b, n in moves]
    percents = shares(counts)
    commenters = dict(
        Comment.objects.filter(debate=debate, status=Comment.Status.PUBLISHED)
        .values_list("stance_id")
        .annotate(n=Count("participant", distinct=True))
    )
    tallies = DailyTally.objects.filter(option__debate=debate).values_list("day", "option_id", "added", "removed")
    timeline = _timeline(options, tallies)
    for flow in flows:
        flow["from_label"] = next(o.label for o in options if o.key == flow["from"])
        flow["to_label"] = next(o.label for o in options if o.key == flow["to"])
    return {
        "question": debate.question,
        "total": sum(counts),
        "options": [
            {"key": o.key, "label": o.label, "votes": c, "percent": p}
            for o, c, p in zip(options, counts, percents, strict=True)
        ],
        "changed_minds": changed,
        "flows": sorted(flows, key=lambda f: -f["count"]),
        "commenters_by_stance": [{"key": o.key, "label": o.label, "count": commenters.get(o.pk, 0)} for o in options]
        + [{"key": "none", "label": "No vote", "count": commenters.get(None, 0)}],
        "timeline": timeline,
        "bars": [{"y": i * 14, "width": round(p * 4, 1)} for i, p in enumerate(percents)],
        "bars_height": len(options) * 14,
        "chart": _line_chart(options, timeline),
        "updated_at": timezone.now().isoformat(timespec="seconds"),
    }


def daily_totals(options, tallies) -> Iterator[tuple[datetime.date, dict, list[int]]]:
    """Every UTC day from the first tally to the last, quiet days included:
    ``(day, {option_id: (added, removed)}, [each option's votes at the day's end])``,
    from ``(day, option_id, added, removed)`` rows of the daily tallies.
    The results page's timeline and the timeseries export both read this."""
    by_day: dict[datetime.date, dict[int, tuple[int, int]]] = {}
    for day, option_id, added, removed in tallies:
        by_day.setdefault(day, {})[option_id] = (added, removed)
    if not by_day:
        return
    running = dict.fromkeys((o.pk for o in options), 0)
    day, last = min(by_day), max(by_day)
    while day <= last:
        moves = by_day.get(day, {})
        for option_id, (added, removed) in moves.items():
            running[option_id] = running.get(option_id, 0) + added - removed
        yield day, moves, [running[o.pk] for o in options]
        day += datetime.timedelta(days=1)


def _timeline(options, tallies) -> list[dict]:
    """Each day's cumulative votes and share per option, from the daily tallies."""
    keys = [o.key for o in options]
    return [
        {
            "day": day.isoformat(),
            "total": sum(counts),
            "votes": dict(zip(keys, counts, strict=True)),
            "shares": dict(zip(keys, shares(counts), strict=True)),
        }
        for day, _, counts in daily_totals(options, tallies)
    ]


def _line_chart(options, timeline, width=600, height=200) -> dict:
    """Polyline points of each option's share by day, for a server-rendered SVG."""
    keys = [o.key for o in options]
    n = len(timeline)
    step = width / (n - 1) if n > 1 else 0
    lines = []
    for index, key in enumerate(keys):
        points = []
        for i, day in enumerate(timeline):
            x = round(i * step, 1) if n > 1 else width / 2
            points.append(f"{x},{round(height - day['shares'][key] * height / 100, 1)}")
        if n == 1:  # one day: draw a short flat segment so the value is visible
            y = points[0].split(",")[1]
            points = [f"0,{y}", f"{width},{y}"]
        # Each line thinner than the one before, drawn over it: where two answers
        # have the same share, both still show, one inside the other.
        lines.append({"key": key, "points": " ".join(points), "stroke": 2 + 2 * (len(keys) - 1 - index)})
    days = [
        {
            "day": d["day"],
            "total": d["total"],
            "cells": [{"votes": d["votes"][k], "share": d["shares"][k]} for k in keys],
        }
        for d in timeline
    ]
    return {
        "width": width,
        "height": height,
        "mid": height // 2,
        # Room on the left for the share labels and below for the first and last
        # day, at the larger size the labels take on a phone (site.css).
        "viewbox": f"-100 -16 {width + 116} {height + 52}",
        "label_y": height + 30,
        "lines": lines if timeline else [],
        "days": days,
    }


def poll_results(debate: Debate) -> dict:
    key = debate.cache_key("results")
    results = cache.get(key)
    if results is None:
        results = compute_results(debate)
        cache.set(key, results, timeout=24 * 3600)
    return results


# Every vote answers with these sums, so the query is compiled once (forum.lib.prepared).
_TALLY_SUMS = prepared.Select(
    lambda debate_id: (
        DailyTally.objects.filter(option__debate_id=debate_id)
        .values_list("option_id")
        .annotate(net=Sum(F("added") - F("removed")), removed=Sum("removed"))
        .order_by()
    ),
    [-1],
)


# The key comes from the tallies read on every call, so this process's copy is
# never stale: a new ballot reads no cache at all.
_CHANGED_MINDS = RecentCopies(size=8)


def poll_counts(debate: Debate, sums: dict | None = None) -> dict:
    """Votes per option, their shares and how many readers changed their mind:
    the results the API answers, in one query on the daily tallies whatever the
    number of ballots, so that a vote never recounts every ballot.

    The tallies are kept in each vote's transaction, so their running sums are
    the current counts. Minds change only when a ballot moves to another option
    or goes (withdrawn, erased, voided), and each of those records a removal:
    the changed-minds count is kept (in this process, and in the shared cache)
    under the debate's total of removals and recounted only when that total
    moves, not when a new ballot comes in.

    ``sums`` are the tallies' sums, ``{option id: (net, removed)}``, when the
    caller has them already (a first vote on PostgreSQL reads them as it writes).
    """
    options = list(debate.options.all())
    if sums is None:
        sums = {option_id: (net, removed) for option_id, net, removed in _TALLY_SUMS.rows(debate.pk)}
    counts = [sums[o.pk][0] if o.pk in sums else 0 for o in options]
    removals = sum(removed for _, removed in sums.values())
    born = int(debate.created_at.timestamp() * 1_000_000)
    changed = _CHANGED_MINDS.get(
        f"changed-minds:{debate.pk}:{born}:{removals}",
        lambda: Ballot.objects.filter(debate=debate).exclude(first_option=F("option")).count(),
    )
    return {
        "question": debate.question,
        "total": sum(counts),
        "options": [
            {"key": o.key, "label": o.label, "votes": c, "percent": p}
            for o, c, p in zip(options, counts, shares(counts), strict=True)
        ],
        "changed_minds": changed,
        "updated_at": timezone.now().isoformat(timespec="seconds"),
    }


def results_visible(debate: Debate, *, has_voted: bool) -> bool:
    mode = debate.results_visibility
    closed = not debate.is_poll_open()
    if mode == Debate.ResultsVisibility.ALWAYS:
        return True
    if mode == Debate.ResultsVisibility.AFTER_CLOSE:
        return closed
    return has_voted or closed
