"""Ids past what the database holds, and values that are not ids, get a 404 or a
clear 400 on every page and endpoint that takes one, never a 500 (the database
driver cannot compare a column with a number past 2**63 - 1)."""

from http import HTTPStatus

import pytest
from django.utils import timezone

from forum.debates.models import Ban, Comment

HUGE = "9" * 20  # past 2**63 - 1
BIGINT_PLUS_ONE = str(2**63)


@pytest.mark.parametrize("number", [HUGE, BIGINT_PLUS_ONE])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/moderation/participants/{}/"),
        ("post", "/moderation/participants/{}/ban/"),
        ("post", "/moderation/participants/{}/unban/"),
        ("post", "/moderation/participants/{}/notes/"),
        ("post", "/moderation/comments/{}/decide/"),
        ("post", "/moderation/rules/{}/delete/"),
        ("post", "/moderation/debates/{}/settings/"),
        ("get", "/moderation/debates/{}/poll/"),
        ("get", "/comments/{}/status/"),
        ("get", "/comments/{}/edit/"),
        ("post", "/comments/{}/like/"),
        ("post", "/comments/{}/report/"),
        ("post", "/comments/{}/reply/"),
        ("post", "/comments/{}/delete/"),
        ("delete", "/api/v1/moderation/participants/{}/ban"),
        ("post", "/api/v1/moderation/comments/{}/decision"),
        ("delete", "/api/v1/moderation/rules/{}"),
        ("post", "/api/v1/comments/{}/like"),
        ("get", "/api/v1/comments/{}/moderation"),
    ],
)
def test_an_id_past_the_databases_range_in_a_url_is_not_found(moderator, debate, method, path, number):
    response = getattr(moderator, method)(path.format(number))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("ids", [[HUGE], [f"-{HUGE}"], ["0"], [BIGINT_PLUS_ONE]])
@pytest.mark.parametrize("action", ["unban", "ban", "approve"])
def test_the_bulk_form_refuses_ids_out_of_range(moderator, debate, ids, action):
    response = moderator.post("/moderation/bulk/", {"ids": ids, "action": action, "duration": "1d", "ban_reason": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The selection is not valid." in response.content.decode()
    assert not Ban.objects.exists()


@pytest.mark.parametrize("ids", [[int(HUGE)], [-1], [0], [True], ["pk"]])
@pytest.mark.parametrize("action", ["unban", "ban", "approve"])
def test_the_bulk_api_refuses_ids_out_of_range_or_of_another_type(moderator, make_comment, ids, action):
    comment = make_comment("Held")
    ids = [str(comment.pk) if i == "pk" else i for i in ids]  # a string that names it
    body = {"ids": ids, "action": action, "duration": "1d", "ban_reason": "x"}
    response = moderator.post("/api/v1/moderation/bulk", body, content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["fields"]
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


@pytest.mark.parametrize("parent_id", [True, "top", int(HUGE), 0, 1.0])
def test_a_reply_names_its_parent_by_a_whole_number(api, debate, no_rate_limits, parent_id):
    top = api.post("/api/v1/debates/clearview-ai-cnil-fine/comments", {"body": "Top"}).json()["id"]
    parent_id = str(top) if parent_id == "top" else parent_id
    response = api.post("/api/v1/debates/clearview-ai-cnil-fine/comments", {"body": "Reply", "parent_id": parent_id})
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["fields"] == {"parent_id": response.json()["fields"]["parent_id"]}
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("debate", HUGE), ("debate", BIGINT_PLUS_ONE), ("start", "9999-12-31 23:30")],
)
def test_voiding_a_burst_refuses_values_out_of_range_with_a_message(moderator, debate, field, value):
    data = {"debate": debate.pk, "network_hash": "deadbeef", "start": timezone.now().strftime("%Y-%m-%d %H:00")}
    response = moderator.post("/moderation/anomalies/void/", {**data, field: value}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "That burst is not valid any more." in response.content.decode()
