"""The benchmark's threads, identical for the app and for Isso.

A thread of n comments has the same shape on both sides: three in four are
top-level, every fourth replies to the top-level comment just before it. The
bodies are deterministic paragraphs of 150 to 600 characters of the small
Markdown subset both apps accept (emphasis, links, line breaks), so each side
renders the same text.
"""

import random

_SENTENCES = [
    "Scraping every public photo to build a face search engine is not the same as looking at a public profile.",
    "Police already have lawful ways to identify a suspect; a private index of *everyone* is a different thing.",
    "The fine matters less than the order to delete what was collected without a legal basis.",
    "If a tool helps find a missing child, I understand why an investigator would want it.",
    "Nobody in that database consented, and most of them will never know they are in it.",
    "A biometric template is not a photograph: you cannot change your face the way you change a password.",
    "The regulator asked twice and got no answer, which says a lot about how the company sees the rules.",
    "See the [CNIL's decision](https://www.cnil.fr/) for the details of the legal reasoning.",
    "Presumption of innocence means you are not a suspect by default just for having a face online.",
    "**Accuracy** is another question: a false match can put an innocent person in front of the police.",
    "Other countries reached the same conclusion, so this is not one regulator's quirk.",
    "I would accept it under a warrant, for serious crimes, with an audit trail that a court can read.",
    "Fines only work if they are collected, and a company outside the EU may simply ignore them.",
    "The same technology in a shop or a stadium would feel very different from a police lab.",
    "It depends on who runs the search and who checks them afterwards.",
]


POOL = 500  # distinct bodies; the i-th comment uses body i mod POOL


def _make_body(n: int) -> str:
    rng = random.Random(n)
    sentences = rng.sample(_SENTENCES, rng.randint(2, 5))
    if len(sentences) > 3:
        return " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:])
    return " ".join(sentences)


_BODIES = [_make_body(n) for n in range(POOL)]


def body(i: int) -> str:
    """The i-th comment text: two to five sentences, sometimes in two paragraphs."""
    return _BODIES[i % POOL]


def author(i: int) -> str:
    return f"Reader {i % 997}"


def shape(n: int) -> list[int | None]:
    """The parent of each of n comments, as an index into the same list (None for top level)."""
    parents: list[int | None] = []
    last_top = None
    for i in range(n):
        if i % 4 == 3 and last_top is not None:
            parents.append(last_top)
        else:
            parents.append(None)
            last_top = i
    return parents
