"""Bursts of ballots from one keyed network-prefix hash.

A burst is at least ANOMALY_BURST_BALLOTS new ballots in one debate from one
network hash within one clock hour (UTC). Offices and campuses share a prefix,
so a burst is a prompt to look, not proof: the view shows how the burst voted
next to the poll as a whole before a moderator voids it. Hashes are kept for
RETENTION_NETWORK_HASH_HOURS only, so only recent bursts can be seen.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour

from forum.debates.models import Ballot, Debate


@dataclass
class Burst:
    debate: Debate
    network_hash: str
    start: datetime.datetime
    end: datetime.datetime
    count: int
    by_option: list[tuple[str, int]]  # (label, ballots) in poll order


def ballot_bursts(*, min_ballots: int | None = None, limit: int = 100) -> list[Burst]:
    """The largest bursts still visible, biggest first (three queries)."""
    min_ballots = min_ballots or settings.ANOMALY_BURST_BALLOTS
    groups = list(
        Ballot.objects.exclude(network_hash="")
        .annotate(hour=TruncHour("cast_at"))
        .values_list("debate_id", "network_hash", "hour")
        .annotate(n=Count("id"))
        .filter(n__gte=min_ballots)
        .order_by("-n", "-hour")[:limit]
    )
    if not groups:
        return []
    debates = {d.pk: d for d in Debate.objects.filter(pk__in={g[0] for g in groups}).prefetch_related("options")}
    split = (
        Ballot.objects.filter(network_hash__in={g[1] for g in groups})
        .annotate(hour=TruncHour("cast_at"))
        .values_list("debate_id", "network_hash", "hour", "option_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_option: dict[tuple, dict[int, int]] = {}
    for debate_id, network_hash, hour, option_id, n in split:
        per_option.setdefault((debate_id, network_hash, hour), {})[option_id] = n
    bursts = []
    for debate_id, network_hash, hour, n in groups:
        debate = debates[debate_id]
        counts = per_option.get((debate_id, network_hash, hour), {})
        bursts.append(
            Burst(
                debate=debate,
                network_hash=network_hash,
                start=hour,
                end=hour + datetime.timedelta(hours=1),
                count=n,
                by_option=[(o.label, counts.get(o.pk, 0)) for o in debate.options.all()],
            )
        )
    return bursts
