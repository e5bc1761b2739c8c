"""A toxicity score from a model that ships inside a package: no text ever leaves the server.

The model (alt-profanity-check: TF-IDF over single words, then five linear SVMs
each calibrated by a sigmoid, averaged) loads on the first comment a worker
screens, not at start-up, so management commands and tests that never screen a
comment do not pay for it. ``SCREEN_TOXICITY=off`` turns the check off; the
threshold is ``SCREEN_TOXICITY_THRESHOLD``.

Calling the package's ``predict_prob`` costs about 8 ms per comment, nearly all
of it scikit-learn's per-call checks on a one-row matrix. At load we read the
fitted numbers out of its model once (each word's IDF and its five weights,
the intercepts, the sigmoids) and score with the same arithmetic in plain
Python, in microseconds. ``tests/moderation/test_toxicity.py`` holds the two to
the same probability.
"""

import math
import re
import threading
from dataclasses import dataclass

_lock = threading.Lock()
_model = None


@dataclass(frozen=True)
class LinearModel:
    # word -> (its IDF, its weight in each calibrated classifier)
    words: dict[str, tuple[float, tuple[float, ...]]]
    intercepts: tuple[float, ...]
    # (a, b) of each classifier's sigmoid: p = 1 / (1 + exp(a * decision + b))
    sigmoids: tuple[tuple[float, float], ...]
    token: re.Pattern
    lowercase: bool


def extract(vectorizer, model) -> LinearModel:
    """The numbers of a fitted ``TfidfVectorizer`` and a sigmoid-calibrated
    ``CalibratedClassifierCV`` of linear binary classifiers; refuses any other
    configuration rather than score it differently from the library."""
    params = vectorizer.get_params()
    expected = {
        "analyzer": "word",
        "ngram_range": (1, 1),
        "norm": "l2",
        "use_idf": True,
        "binary": False,
        "sublinear_tf": False,
        "strip_accents": None,
        "preprocessor": None,
        "tokenizer": None,
    }
    if any(params[k] != v for k, v in expected.items()) or list(model.classes_) != [0, 1]:
        raise ValueError("the toxicity model is not the TF-IDF + calibrated linear classifier this scorer reproduces")
    stop_words = vectorizer.get_stop_words() or frozenset()
    classifiers = model.calibrated_classifiers_
    if any(c.method != "sigmoid" or len(c.calibrators) != 1 for c in classifiers):
        raise ValueError("the toxicity model's calibration is not one sigmoid per classifier")
    idf = vectorizer.idf_.tolist()
    columns = [c.estimator.coef_[0].tolist() for c in classifiers]
    words = {}
    for word, j in vectorizer.vocabulary_.items():
        # Stop words are dropped before the vocabulary is looked up; a fitted
        # vocabulary never holds one, but say so rather than assume it.
        if word not in stop_words:
            words[word] = (idf[j], tuple(column[j] for column in columns))
    return LinearModel(
        words=words,
        intercepts=tuple(float(c.estimator.intercept_[0]) for c in classifiers),
        sigmoids=tuple((float(c.calibrators[0].a_), float(c.calibrators[0].b_)) for c in classifiers),
        token=re.compile(params["token_pattern"]),
        lowercase=params["lowercase"],
    )


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def probability(model: LinearModel, text: str) -> float:
    """What ``model.predict_proba(vectorizer.transform([text]))[0, 1]`` gives."""
    if model.lowercase:
        text = text.lower()
    counts: dict[str, int] = {}
    for token in model.token.findall(text):
        if token in model.words:
            counts[token] = counts.get(token, 0) + 1
    decisions = list(model.intercepts)
    if counts:
        weighted = [(n * model.words[w][0], model.words[w][1]) for w, n in counts.items()]
        norm = math.sqrt(sum(x * x for x, _ in weighted))
        for i in range(len(decisions)):
            decisions[i] += sum((x / norm) * coefs[i] for x, coefs in weighted)
    total = 0.0
    for (a, b), d in zip(model.sigmoids, decisions, strict=True):
        total += _expit(-(a * d + b))
    return total / len(decisions)


def _load() -> LinearModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from profanity_check import profanity_check

                _model = extract(profanity_check.vectorizer, profanity_check.model)
    return _model


def toxicity_score(text: str) -> float:
    """The probability, from 0 to 1, that the text is abusive or offensive."""
    if not text.strip():
        return 0.0
    return probability(_load(), text)
