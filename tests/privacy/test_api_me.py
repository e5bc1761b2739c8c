"""/api/v1/me: see, erase, and change the key with X-Participant-Key only."""

from http import HTTPStatus

import pytest

from forum.debates.models import Comment, Erasure, Participant
from forum.debates.services import comment_create, participant_create


@pytest.fixture
def key(db):
    return participant_create()[1]


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("sent", [None, "", "not-a-key", "x" * 500])
def test_without_a_valid_key_the_answer_is_403_in_the_error_shape(api, debate, method, sent):
    response = getattr(api, method)("/api/v1/me", key=sent)
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.json()
    assert body["error"] == "no_participant"
    assert "X-Participant-Key" in body["message"]
    assert body["fields"] == {}


def test_the_cookie_never_counts_for_the_api(api, reader, debate):
    api.client.cookies = reader.cookies
    assert api.get("/api/v1/me").status_code == HTTPStatus.FORBIDDEN


def test_get_returns_everything_and_is_never_cached(api, debate, key, no_rate_limits):
    participant = Participant.objects.get()
    comment_create(debate=debate, participant=participant, body="Mine, via the API.")
    response = api.get("/api/v1/me", key=key)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["participant"]["id"] == participant.pk
    assert [c["body"] for c in data["comments"]] == ["Mine, via the API."]
    assert data["participant"]["key_created_at"]


def test_delete_erases_everything_and_lists_it(api, debate, key, no_rate_limits):
    participant = Participant.objects.get()
    comment_create(debate=debate, participant=participant, body="Going.")
    response = api.delete("/api/v1/me", key=key)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["erased"] == {
        "appeals": 0,
        "audit_entries_redacted": 0,
        "ballots": 0,
        "bans": 0,
        "comments": 1,
        "earlier_versions": 0,
        "likes": 0,
        "network_hashes": 0,
        "participant": 1,
        "placeholders_kept": 0,
        "reports": 0,
    }
    assert not Comment.objects.exists()
    assert not Participant.objects.exists()
    assert Erasure.objects.get().counts["comments"] == 1


def test_post_key_rotates_and_the_old_key_stops_working(api, debate, key):
    response = api.post("/api/v1/me/key", key=key)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    new_key = response.json()["participant_key"]
    assert len(new_key) >= 32
    assert new_key != key
    assert api.get("/api/v1/me", key=key).status_code == HTTPStatus.FORBIDDEN
    assert api.get("/api/v1/me", key=new_key).status_code == HTTPStatus.OK
    assert Participant.objects.count() == 1


def test_the_api_answers_429_with_retry_after_over_the_abuse_limit(api, debate, key, settings):
    settings.RATE_LIMIT_MY_DATA = "2/60"
    assert api.get("/api/v1/me", key=key).status_code == HTTPStatus.OK
    assert api.get("/api/v1/me", key=key).status_code == HTTPStatus.OK
    response = api.get("/api/v1/me", key=key)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.json()["error"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


def test_guessing_keys_is_rate_limited_per_network(api, debate, settings):
    settings.RATE_LIMIT_MY_DATA = "3/60"
    codes = [api.get("/api/v1/me", key=f"guess-{i}").status_code for i in range(4)]
    assert codes == [HTTPStatus.FORBIDDEN] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]


def test_the_openapi_document_lists_the_my_data_endpoints(api, debate):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/me"]) == {"get", "delete"}
    assert "post" in paths["/api/v1/me/key"]
