"""Oversized, malformed and ill-typed input gets a clear 4xx answer, quickly, never a 500.

The API checks run over every POST, PATCH and PUT operation of the OpenAPI
document, so an endpoint added later is covered without touching this file.
"""

import json
import os
import re
import subprocess
import sys
import time
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import Client

from forum.api import api as ninja_api
from forum.debates.models import Comment, WordRule
from tests.moderation.conftest import log_in, make_user

ROOT = Path(__file__).resolve().parent.parent.parent

SLUG = "clearview-ai-cnil-fine"
ONE_MB = "x" * (1024 * 1024)


def _assert_error_shape(response, *statuses, what=""):
    assert response.status_code in statuses, (what, response.status_code, response.content[:300])
    body = response.json()
    assert set(body) >= {"error", "message", "fields"}, (what, body)
    assert body["message"], what


def _csrf_client() -> Client:
    """A browser that got the form's CSRF token, as a real one would, so limits are met first."""
    client = Client(enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    client.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client


def test_a_one_megabyte_form_post_is_refused_quickly_with_the_site_page(debate):
    client = _csrf_client()
    for content_type in ("urlencoded", "multipart"):
        data = {"csrfmiddlewaretoken": client.token, "body": ONE_MB}
        started = time.monotonic()
        if content_type == "urlencoded":
            encoded = "&".join(f"{k}={v}" for k, v in data.items())
            response = client.post(f"/debates/{SLUG}/comments/", encoded, "application/x-www-form-urlencoded")
        else:
            response = client.post(f"/debates/{SLUG}/comments/", data)
        assert time.monotonic() - started < 5
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, content_type
        assert b"too large" in response.content
        assert b"Back to the debate" in response.content
    assert not Comment.objects.exists()


def test_a_one_megabyte_json_body_is_refused_with_a_json_error(debate):
    started = time.monotonic()
    response = Client().post(
        f"/api/v1/debates/{SLUG}/comments", json.dumps({"body": ONE_MB}), content_type="application/json"
    )
    assert time.monotonic() - started < 5
    _assert_error_shape(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    assert response.json()["error"] == "too_large"


def test_ten_thousand_form_fields_are_refused_with_400(debate):
    client = _csrf_client()
    encoded = "&".join([f"csrfmiddlewaretoken={client.token}", *(f"f{i}=1" for i in range(10_000))])
    response = client.post(f"/debates/{SLUG}/comments/", encoded, "application/x-www-form-urlencoded")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"too many fields" in response.content
    assert Client().get("/?" + "&".join(f"q{i}=1" for i in range(10_000))).status_code == HTTPStatus.BAD_REQUEST


# ---------------------------------------------------------------------- the API


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _example(schema: dict, node: dict):
    """A value of the right type for a schema node (not necessarily one the service accepts)."""
    node = _resolve(schema, node)
    if "enum" in node:
        return node["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _example(schema, next(n for n in node[key] if n.get("type") != "null"))
    kind = node.get("type", "string")
    return {"string": "text", "integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(kind, "text")


def _write_operations():
    schema = ninja_api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in ("post", "patch", "put") and "application/json" in content:
                body = _resolve(schema, content["application/json"]["schema"])
                properties = body.get("properties", {})
                valid = {name: _example(schema, properties[name]) for name in body.get("required", [])}
                texts = sorted(name for name, node in properties.items() if isinstance(_example(schema, node), str))
                yield pytest.param(
                    method, path, properties, valid, texts, bool(operation.get("security")), id=f"{method} {path}"
                )


@pytest.fixture
def api_context(debate, make_participant, settings):
    """Real ids for the path parameters, an author's key, and a moderator's session."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    author = make_participant()
    comment = Comment.objects.create(debate=debate, participant=author.participant, body="Hi", body_html="<p>Hi</p>")
    rule = WordRule.objects.create(pattern="zzz", action="hold")
    ids = {
        "slug": SLUG,
        "comment_id": comment.pk,
        "participant_id": author.participant.pk,
        "rule_id": rule.pk,
        "kind": "votes",
        "fmt": "csv",
    }
    return {"ids": ids, "key": author.key, "moderator": log_in(make_user(moderator=True, with_2fa=True))}


@pytest.mark.parametrize(
    ("method", "path", "properties", "valid", "texts", "moderators_only"), list(_write_operations())
)
def test_every_api_write_refuses_malformed_ill_typed_and_unknown_input_with_a_message(
    api_context, method, path, properties, valid, texts, moderators_only
):
    url = re.sub(r"\{(\w+)\}", lambda m: str(api_context["ids"][m.group(1)]), path)
    client = api_context["moderator"] if moderators_only else Client(headers={"X-Participant-Key": api_context["key"]})
    send = getattr(client, method)
    bad_bodies = {
        "malformed JSON": "{",
        "truncated JSON": '{"body": "te',
        "not an object": "[1, 2]",
        "a bare string": '"text"',
        "empty": "",
        "NaN": '{"x": NaN}',
        "deep nesting": "[" * 5000 + "]" * 5000,
    }
    for what, raw in bad_bodies.items():
        response = send(url, raw, content_type="application/json")
        _assert_error_shape(response, HTTPStatus.BAD_REQUEST, what=what)
        assert response.json()["error"] == "invalid", (what, response.json())  # a documented code
    if properties:
        # Parsers differ on which of two equal keys wins: neither does here.
        name = next(iter(properties))
        twice = send(url, f'{{"{name}": 1, "{name}": 2}}', content_type="application/json")
        _assert_error_shape(twice, HTTPStatus.BAD_REQUEST)
        assert f"The field '{name}' is given twice." in twice.json()["message"]
        # JSON sent as something else is not read as JSON.
        plain = send(url, json.dumps(valid), content_type="text/plain")
        _assert_error_shape(plain, HTTPStatus.BAD_REQUEST)
        assert "Content-Type: application/json" in plain.json()["message"]
    if properties:
        wrong_types = {name: {"an": ["object", "instead"]} for name in properties}
        _assert_error_shape(send(url, wrong_types, content_type="application/json"), HTTPStatus.BAD_REQUEST)
        unknown = send(url, {**valid, "not_a_field": 1}, content_type="application/json")
        _assert_error_shape(unknown, HTTPStatus.BAD_REQUEST)
        assert "not_a_field" in unknown.json()["fields"], unknown.json()
        # PostgreSQL cannot store a NUL: the API removes it, as the documented normalisation says.
        nuls = {**valid, **dict.fromkeys(texts, "a\x00b")}
        assert send(url, nuls, content_type="application/json").status_code < HTTPStatus.INTERNAL_SERVER_ERROR, nuls
    form = send(url, "a=1&b=2", content_type="application/x-www-form-urlencoded")
    _assert_error_shape(form, HTTPStatus.BAD_REQUEST, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)


HOSTILE_PARAMETERS = ["-1", "0", "abc", "99999999999999999999999", "1e9", "%00", "\x00", "' OR 1=1 --", "../../etc"]


@pytest.mark.parametrize("value", HOSTILE_PARAMETERS)
def test_hostile_path_and_query_values_never_cause_a_500(debate, make_participant, value):
    key = make_participant().key
    client = Client(headers={"X-Participant-Key": key}, raise_request_exception=False)
    paths = [
        f"/api/v1/debates/{SLUG}/comments?page={value}&sort={value}&stance={value}",
        f"/api/v1/debates/{value}",
        f"/api/v1/comments/{value}/like",
        f"/api/v1/comments/{value}",
        f"/?page={value}&sort={value}&stance={value}",
        f"/debates/{SLUG}/?page={value}&stance={value}",
        f"/comments/{value}/edit/",
        f"/moderation/?tab={value}&page={value}",
    ]
    for path in paths:
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(path)
            assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (method, path, response.status_code)


@pytest.mark.parametrize(
    "fields",
    [
        {"option": "no-such-option"},
        {"option": "useful", "started": "forged"},
        {"body": "Hi", "parent_id": "99999999999999999999999"},
        {"body": "Hi", "parent_id": "-5"},
        {"body": "Hi", "parent_id": "abc"},
        {"body": "Hi", "author_name": "x" * 500},
        {"body": "Null \x00 in the middle"},
        {"body": "Hi", "idempotency_key": "k" * 500},
        {"body": "Hi", "idempotency_key": "\x00"},
        {"key": "\x00" * 10},
        {"key": "k" * 10_000},
        {"reason": "nonsense", "note": "n"},
    ],
)
def test_hostile_form_fields_never_cause_a_500(debate, make_participant, settings, fields):
    settings.FORM_MIN_SECONDS = 0
    settings.VOTE_MIN_SECONDS = 0
    reader = make_participant()
    reader.raise_request_exception = False
    comment = Comment.objects.create(debate=debate, body="Target", body_html="<p>Target</p>")
    for path in [
        f"/debates/{SLUG}/vote/",
        f"/debates/{SLUG}/comments/",
        f"/comments/{comment.pk}/report/",
        f"/comments/{comment.pk}/like/",
        "/me/key/restore/",
        "/me/",
    ]:
        response = reader.post(path, fields)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (path, fields, response.status_code)


def test_a_body_of_many_fields_is_read_in_time_proportional_to_it():
    """The check for a field given twice once compared every field with every other:
    seconds of a worker for a 256 KB body, before any rate limit. The helper process
    stands in for a gunicorn worker and its 30 s timeout; it answers in milliseconds."""
    code = (
        "import json\n"
        "from forum.lib.json_parser import _refuse_repeats\n"
        "body = '{' + ','.join(f'\"k{i}\": 1' for i in range(100_000)) + '}'\n"
        "print(len(json.loads(body, object_pairs_hook=_refuse_repeats)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "forum.settings"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout.strip() == "100000", done.stderr
