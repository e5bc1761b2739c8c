from http import HTTPStatus

from forum.debates.seed import CLEARVIEW_SLUG


def test_list_returns_each_debate_with_options(api, debate):
    response = api.get("/api/v1/debates")
    assert response.status_code == HTTPStatus.OK
    [item] = response.json()
    assert item == {
        "slug": CLEARVIEW_SLUG,
        "title": debate.title,
        "question": debate.question,
        "options": [{"key": o.key, "label": o.label} for o in debate.options.all()],
        "comments_open": True,
        "poll_open": True,
    }


def test_detail_returns_one_debate(api, debate):
    response = api.get(f"/api/v1/debates/{CLEARVIEW_SLUG}")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["slug"] == CLEARVIEW_SLUG
    assert [o["key"] for o in response.json()["options"]] == ["useful", "invasion", "unsure"]


def test_unknown_slug_is_a_json_404(api, debate):
    response = api.get("/api/v1/debates/nothing-here")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "not_found"


def test_openapi_document_describes_the_endpoints(api, debate):
    document = api.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/debates" in document["paths"]
    assert "/api/v1/debates/{slug}" in document["paths"]
