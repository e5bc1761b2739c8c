"""The lean toxicity scorer gives alt-profanity-check's own probability."""

import pytest
from profanity_check import predict_prob

from forum.moderation.toxicity import toxicity_score
from tests.security.payloads import XSS, blns

SENTENCES = [
    "The CNIL was right to fine them.",
    "The regulator was right to fine the company.",
    "You are a fucking idiot and a moron, shut up",
    "Comment 12 of the benchmark: a warrant, a court and an audit trail would change my mind.",
    "SHUT UP you STUPID, stupid, stupid troll!!!",
    "Face recognition in public places needs a warrant; this is a damn disgrace.",
    "Ceci n'est pas une pipe. Élan, naïve café — ünïcödé wörds and 日本語のテキスト.",
    "a",
    "the and of to",  # stop words only
    "crap " * 2000,
    "\n\n  whitespace   around  \t words \n",
    "ass-hat a$$ sh1t f*ck",
]


def corpus() -> list[str]:
    return SENTENCES + XSS + [s for s in blns() if s.strip()]


def test_the_score_equals_the_librarys_probability():
    texts = corpus()
    assert len(texts) > 500
    expected = predict_prob(texts)
    for text, library in zip(texts, expected, strict=True):
        assert toxicity_score(text) == pytest.approx(float(library), abs=1e-9), text


def test_blank_text_scores_zero():
    assert toxicity_score("  \n ") == 0.0


def test_abuse_scores_high_and_argument_low():
    assert toxicity_score("You are a fucking idiot and a moron, shut up") > 0.85
    assert toxicity_score("The regulator was right to fine the company.") < 0.5
