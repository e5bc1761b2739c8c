"""Moderators edit a debate's poll: wording and options until the first vote,
opening, closing (now or at a set time) and when results are shown, always."""

import datetime
import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from forum.debates.models import Ballot, DailyTally, Debate, PollOption
from forum.debates.services import Refused, normalise_text

from .audit import audit_record

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def poll_has_votes(debate: Debate) -> bool:
    """Whether anyone ever voted: a ballot now, or a tally of one in the past."""
    return Ballot.objects.filter(debate=debate).exists() or DailyTally.objects.filter(option__debate=debate).exists()


def _clean_options(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = []
    for key, label in options:
        key, label = normalise_text(key).lower(), " ".join(normalise_text(label).split())
        if not key and not label:
            continue
        if not _KEY.match(key):
            raise Refused(
                "invalid",
                f"The key “{key[:40]}” must be 1 to 40 lower-case letters, digits, - or _.",
                fields={"options": "key"},
            )
        if not label or len(label) > 200:
            raise Refused(
                "invalid", f"The option “{key}” needs a label of 1 to 200 characters.", fields={"options": "label"}
            )
        cleaned.append((key, label))
    if not 2 <= len(cleaned) <= 6:
        raise Refused("invalid", "A poll has 2 to 6 options.", fields={"options": "count"})
    if len({k for k, _ in cleaned}) != len(cleaned):
        raise Refused("invalid", "Each option needs its own key.", fields={"options": "duplicate"})
    return cleaned


def poll_edit(
    *,
    debate_id: int,
    moderator,
    question: str,
    options: list[tuple[str, str]],
    poll_open: bool,
    poll_closes_at: datetime.datetime | None,
    results_visibility: str,
) -> Debate:
    """Change a poll. The question and the options can change only before the
    first vote (a vote for a reworded question would mean something else);
    opening, closing and result visibility can change at any time."""
    question = " ".join(normalise_text(question).split())
    if not question or len(question) > 500:
        raise Refused("invalid", "The question needs 1 to 500 characters.", fields={"question": "length"})
    if results_visibility not in Debate.ResultsVisibility.values:
        raise Refused("invalid", "Choose when results are shown.", fields={"results_visibility": "unknown"})
    cleaned = _clean_options(options)
    with transaction.atomic():
        debate = Debate.objects.select_for_update().filter(pk=debate_id).first()
        if debate is None:
            raise Refused("not_found", "That debate does not exist.", status=404)
        if (
            poll_open
            and poll_closes_at
            and poll_closes_at != debate.poll_closes_at
            and poll_closes_at <= timezone.now()
        ):
            # It would close the poll at once while the editor still said "open".
            raise Refused(
                "invalid",
                "That closing time has passed. To close the poll now, untick \u201cThe poll is open\u201d.",
                fields={"poll_closes_at": "past"},
            )
        current = list(debate.options.order_by("position", "id").values_list("key", "label"))
        wording_changed = question != debate.question or cleaned != current
        if wording_changed and poll_has_votes(debate):
            raise Refused(
                "poll_has_votes",
                "Readers have already voted, so the question and the options can no longer change. "
                "You can still open or close the poll and choose when results are shown.",
                status=409,
            )
        before = {
            "question": debate.question,
            "options": current,
            "poll_open": debate.poll_open,
            "poll_closes_at": debate.poll_closes_at.isoformat() if debate.poll_closes_at else None,
            "results_visibility": debate.results_visibility,
        }
        if wording_changed:
            debate.options.all().delete()
            PollOption.objects.bulk_create(
                PollOption(debate=debate, key=key, label=label, position=i) for i, (key, label) in enumerate(cleaned)
            )
        debate.question = question
        debate.poll_open = poll_open
        debate.poll_closes_at = poll_closes_at
        debate.results_visibility = results_visibility
        debate.version = F("version") + 1
        debate.save(update_fields=["question", "poll_open", "poll_closes_at", "results_visibility", "version"])
        debate.refresh_from_db()
        audit_record(
            action="debate.poll",
            actor=moderator,
            target=debate,
            status_before="open" if before["poll_open"] else "closed",
            status_after="open" if poll_open else "closed",
            details={
                "before": before,
                "after": {
                    "question": question,
                    "options": cleaned,
                    "poll_closes_at": poll_closes_at.isoformat() if poll_closes_at else None,
                    "results_visibility": results_visibility,
                },
            },
        )
    return debate


def poll_form_initial(debate: Debate) -> dict:
    closes = debate.poll_closes_at
    return {
        "question": debate.question,
        "poll_open": debate.poll_open,
        "poll_closes_at": timezone.localtime(closes, datetime.UTC).strftime("%Y-%m-%dT%H:%M") if closes else "",
        "results_visibility": debate.results_visibility,
    }
