"""Export a kind in a format, then read the file back into typed rows, so that
every format can be compared with the same expected values."""

import datetime
import io
import json

from forum.lib.csvsafe import is_formula_like
from forum.moderation.exports import build_export, write_text, write_xlsx

from .conftest import parse_csv, parse_json, parse_xlsx, xlsx_about, xlsx_rows


def export_bytes(debate, kind: str, fmt: str) -> tuple[object, bytes]:
    export = build_export(debate, kind)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(export, buffer)
        return export, buffer.getvalue()
    return export, "".join(write_text(export, fmt)).encode("utf-8")


def _unneutralise(value):
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def _typed(value, type_: str, fmt: str):
    """One cell as JSON would hold it: numbers, booleans, lists, ISO 8601 text for times."""
    if fmt == "json":
        return value
    if fmt == "csv":
        if value == "":
            return [] if type_ == "list" else None
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            return float(value)
        if type_ == "boolean":
            return {"true": True, "false": False}[value]
        if type_ == "list":
            return value.split("; ")
        if type_ == "object":
            return json.loads(_unneutralise(value))
        return _unneutralise(value)
    # xlsx
    if value is None:
        return [] if type_ == "list" else None
    if type_ == "datetime":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if type_ == "date":
        return (value.date() if isinstance(value, datetime.datetime) else value).isoformat()
    if type_ == "list":
        return value.split("; ")
    if type_ == "object":
        return json.loads(_unneutralise(value))
    return _unneutralise(value)


def read_back(debate, kind: str, fmt: str) -> tuple[dict | None, list[dict], object]:
    """(metadata or None for CSV, rows as typed dicts, the Export) of a fresh export."""
    export, data = export_bytes(debate, kind, fmt)
    types = {c.name: c.type for c in export.columns}
    if fmt == "csv":
        raw, metadata = parse_csv(data), None
        assert data.startswith(",".join(types).encode() + b"\r\n")
    elif fmt == "json":
        document = parse_json(data)
        raw, metadata = document["rows"], document["metadata"]
        assert [c["name"] for c in document["columns"]] == list(types)
        assert document["row_count"] == len(raw)
    else:
        workbook = parse_xlsx(data)
        assert workbook.sheetnames == ["Data", "About"]
        raw, metadata = xlsx_rows(workbook), xlsx_about(workbook)
        assert metadata["row_count"] == len(raw)
    rows = [{name: _typed(row[name], types[name], fmt) for name in types} for row in raw]
    return metadata, rows, export
