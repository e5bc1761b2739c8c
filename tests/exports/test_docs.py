"""docs/exports.md describes every column of every file, and the current schema versions."""

import re
from pathlib import Path

import pytest

from forum.moderation import exports

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("kind", exports.KINDS)
def test_every_column_is_documented_in_its_section(kind):
    text = (DOCS / "exports.md").read_text()
    section = text.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    columns = getattr(exports, f"{kind.upper()}_COLUMNS")

    documented = re.findall(r"^\| `([a-z_]+)` \| ([a-z]+) \|", section, flags=re.MULTILINE)
    assert documented == [(c.name, c.type) for c in columns]


def test_the_current_schema_versions_are_documented():
    text = (DOCS / "exports.md").read_text()
    listed = ", ".join(f"`{kind}` {version}" for kind, version in exports.SCHEMA_VERSIONS.items())

    assert f"Current versions: {listed}." in text


def test_the_api_reference_lists_every_export():
    text = (DOCS / "api.md").read_text().split("## Exports", 1)[1]

    for kind in exports.KINDS:
        assert f"/exports/{kind}.{{csv\\|json\\|xlsx}}`" in text
