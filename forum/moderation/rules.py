"""The "try a text" box: the real screening verdict, with what triggered it."""

import dataclasses
import re
from dataclasses import dataclass

from django.conf import settings

from forum.debates.models import Debate, WordRule
from forum.debates.services import normalise_text, screening_context
from forum.lib.screening import REASON_TEXT, Verdict, contains_personal_info, screen, shown_text, word_pattern

_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


@dataclass
class Explanation:
    verdict: Verdict
    reasons: list[tuple[str, str]]  # (code, plain words)
    banned: list[str]
    suspect: list[str]
    links: int
    personal_info: bool
    toxicity: float | None


def explain(text: str, debate: Debate, *, first_comment: bool = False) -> Explanation:
    """Screen ``text`` exactly as a new comment in ``debate`` would be, and say why."""
    text = normalise_text(text)
    context = dataclasses.replace(screening_context(debate, None), is_first_comment=first_comment)
    verdict = screen(text, context)
    text = shown_text(text)  # as ``screen`` reads it
    rules = list(WordRule.objects.all())
    hits = [r for r in rules if word_pattern(r.pattern).search(text)]
    return Explanation(
        verdict=verdict,
        reasons=[(code, REASON_TEXT.get(code, code)) for code in verdict.reasons],
        banned=[r.pattern for r in hits if r.action == WordRule.Action.REJECT],
        suspect=[r.pattern for r in hits if r.action == WordRule.Action.HOLD],
        links=len(_LINK.findall(text)),
        personal_info=contains_personal_info(text),
        toxicity=context.toxicity(text) if context.toxicity else None,
    )


def thresholds() -> dict:
    """The configured limits, shown next to the lists."""
    return {
        "max_links": settings.SCREEN_MAX_LINKS,
        "toxicity_threshold": settings.SCREEN_TOXICITY_THRESHOLD,
        "toxicity_on": bool(settings.SCREEN_TOXICITY_SCORER),
    }
