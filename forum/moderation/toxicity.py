"""A toxicity score from a model that ships inside a package: no text ever leaves the server.

The model (alt-profanity-check, a linear classifier over word n-grams) loads
on the first comment a worker screens, not at start-up, so management
commands and tests that never screen a comment do not pay for it.
``SCREEN_TOXICITY=off`` turns the check off; the threshold is
``SCREEN_TOXICITY_THRESHOLD``.
"""

import threading

_lock = threading.Lock()
_predict = None


def _model():
    global _predict
    if _predict is None:
        with _lock:
            if _predict is None:
                from profanity_check import predict_prob

                _predict = predict_prob
    return _predict


def toxicity_score(text: str) -> float:
    """The probability, from 0 to 1, that the text is abusive or offensive."""
    if not text.strip():
        return 0.0
    return float(_model()([text])[0])
