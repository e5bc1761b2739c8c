"""Cached renders are keyed by the code as well as the data: a deploy never
serves what the previous release rendered."""

from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.lib.release import code_version
from tests.conftest import app_queries


def test_the_fingerprint_follows_file_contents_not_times(tmp_path: Path):
    for top in ("forum", "templates", "static"):
        (tmp_path / top).mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>one</p>")
    first = code_version(tmp_path)
    template.touch()
    assert code_version(tmp_path) == first
    template.write_text("<p>two</p>")
    assert code_version(tmp_path) != first


def page_queries(reader) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert reader.get("/").status_code == 200
    return len(app_queries(ctx))


def test_a_new_release_renders_the_page_anew_with_the_same_data(debate, settings):
    reader = Client()
    page_queries(reader)
    assert page_queries(reader) == 1  # a hit: the debate row only
    settings.CODE_VERSION = "next-release"
    assert page_queries(reader) > 1  # same data, new code: rendered again
    assert page_queries(reader) == 1
