"""``/api/v1/me``: the participant's own data, by ``X-Participant-Key`` only.

The same services as the "My data" pages: the JSON of ``GET /me`` is the file
the page offers for download. Responses are never cached.
"""

from django.views.decorators.cache import never_cache
from ninja import Router, Schema
from ninja.decorators import decorate_view

from .api import ErrorOut
from .identity import api_participant
from .network import network_hash
from .privacy import my_data_rate_limit, participant_data, participant_erase, participant_rotate_key
from .services import Refused

router = Router(tags=["my data"])

NO_KEY = (
    "Send your participant key in the X-Participant-Key header. "
    "A key that was erased or replaced no longer works, and a lost key cannot be recovered."
)


def _participant(request):
    participant = api_participant(request)
    my_data_rate_limit(participant=participant, network_hash=network_hash(request))
    if participant is None:
        raise Refused("no_participant", NO_KEY, status=403)
    return participant


class ErasedOut(Schema):
    erased: dict[str, int]
    message: str


class KeyOut(Schema):
    participant_key: str
    message: str


@router.get("/me", response={200: dict, 403: ErrorOut, 429: ErrorOut})
@decorate_view(never_cache)
def get_my_data(request):
    """Everything the site holds about you: the same JSON as the page's download."""
    return participant_data(_participant(request))


@router.delete("/me", response={200: ErasedOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut})
@decorate_view(never_cache)
def erase_my_data(request):
    """Erase everything at once. Afterwards the key no longer works."""
    erased = participant_erase(_participant(request))
    return {"erased": erased, "message": "Everything was erased. This key no longer works."}


@router.post("/me/key", response={200: KeyOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut})
@decorate_view(never_cache)
def rotate_my_key(request):
    """Replace your key. The new one is in this response only; the old one stops working."""
    key = participant_rotate_key(_participant(request))
    return {"participant_key": key, "message": "Save this key now: it is shown once and cannot be recovered."}
