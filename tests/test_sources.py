"""Loading: every shipped page with its metadata, bad files and records reported and skipped."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from bot.settings import load_settings
from bot.sources import MAX_RECORD_CHARS, CorpusError, LoadReport, iter_jsonl, load_folder

CORPUS = Path(load_settings({}, environ={})["CORPUS_DIR"])
METADATA = {e["file"]: e for e in tomllib.loads((CORPUS / "metadata.toml").read_text("utf-8"))["document"]}


@pytest.fixture(scope="module")
def shipped():
    report = LoadReport()
    return {d.source: d for d in load_folder(CORPUS, report)}, report


def test_every_shipped_file_loads(shipped):
    docs, report = shipped
    assert sorted(docs) == sorted(p.name for p in CORPUS.glob("*.txt"))


def test_shipped_corpus_has_no_problems(shipped):
    assert shipped[1].problems == []


@pytest.mark.parametrize("name", sorted(METADATA))
@pytest.mark.parametrize("key", ["id", "title", "publisher", "url", "published", "updated"])
def test_metadata_applied(shipped, name, key):
    doc = shipped[0][name]
    expected = METADATA[name].get(key)
    assert getattr(doc, key) == (None if expected is None else str(expected))


def test_shipped_documents_are_plain_text(shipped):
    assert {d.format for d in shipped[0].values()} == {"text"}


# --- bad folders and files ----------------------------------------------------------------------
def test_non_utf8_file_is_reported_and_skipped(tmp_path):
    (tmp_path / "good.txt").write_text("Good page\n\nAn IOP meets three days a week.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes("Bad page \xe9t\xe9".encode("latin-1"))
    report = LoadReport()
    docs = load_folder(tmp_path, report)
    assert [d.source for d in docs] == ["good.txt"]
    assert len(report.problems) == 1
    assert report.problems[0].startswith("bad.txt:")
    assert report.loaded == 1


def test_empty_file_is_reported(tmp_path):
    (tmp_path / "good.txt").write_text("Good page\n\ntext", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    report = LoadReport()
    load_folder(tmp_path, report)
    assert any(p.startswith("empty.txt:") for p in report.problems)


@pytest.mark.parametrize("make", ["empty", "missing", "only_bad", "other_suffix"])
def test_unloadable_folder_raises_naming_it(tmp_path, make):
    folder = tmp_path / "corpus-here"
    if make != "missing":
        folder.mkdir()
    if make == "only_bad":
        (folder / "bad.txt").write_bytes(b"\xff\xfe\xfa")
    if make == "other_suffix":
        (folder / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match="corpus-here"):
        load_folder(folder)


def test_markdown_loads_as_markdown(tmp_path):
    (tmp_path / "page.md").write_text("# Title\n\nSome text.\n", encoding="utf-8")
    (doc,) = load_folder(tmp_path)
    assert (doc.format, doc.id) == ("markdown", "page")


def test_markdown_title_without_heading_marker(tmp_path):
    (tmp_path / "page.md").write_text("# Title\n\nSome text.\n", encoding="utf-8")
    (doc,) = load_folder(tmp_path)
    assert doc.title == "Title"


HTML = """<html><head><title>x</title><script>var a = 1;</script></head><body>
<nav><a href="/">Home</a></nav>
<h1>IOP guide</h1>
<p>An intensive outpatient program meets several days a week.</p>
<h2>What is covered?</h2>
<p>Services include:</p>
<ul><li>Group therapy</li><li>Individual counseling</li></ul>
<h2>Comparison</h2>
<table>
<tr><th>Aspect</th><th>IOP</th><th>PHP</th></tr>
<tr><td>Hours per Week</td><td>9-19</td><td>20+</td></tr>
<tr><td>Living</td><td>At home</td><td>At home</td></tr>
</table>
</body></html>"""


@pytest.fixture
def html_doc(tmp_path):
    from bot.clean import clean_document
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    (doc,) = load_folder(tmp_path)
    return doc, clean_document(doc)


def test_html_loads_as_html(html_doc):
    assert html_doc[0].format == "html"


@pytest.mark.parametrize("path", [("What is covered?",), ("Comparison", "Hours per Week"), ("Comparison", "Living")])
def test_html_headings_become_sections(html_doc, path):
    assert path in [s.heading_path for s in html_doc[1].sections]


@pytest.mark.parametrize("line", ["- Group therapy", "- Individual counseling"])
def test_html_list_items_in_cleaned_text(html_doc, line):
    assert line in html_doc[1].text.split("\n")


@pytest.mark.parametrize("row, cell", [
    ("Hours per Week", "IOP: 9-19"), ("Hours per Week", "PHP: 20+"), ("Living", "IOP: At home"), ("Living", "PHP: At home"),
])
def test_html_table_cells_name_their_column(html_doc, row, cell):
    (section,) = [s for s in html_doc[1].sections if s.heading_path[-1:] == (row,)]
    assert any(line.endswith(cell) for line in section.text.split("\n"))


@pytest.mark.parametrize("noise", ["var a", "Home"])
def test_html_script_and_nav_are_dropped(html_doc, noise):
    assert noise not in html_doc[1].text


def test_html_list_stays_with_its_lead_in(html_doc):
    (section,) = [s for s in html_doc[1].sections if s.heading_path == ("What is covered?",)]
    assert section.text.startswith("Services include:\n- Group therapy")


# --- JSONL --------------------------------------------------------------------------------------
def _jsonl(tmp_path, lines: list[str]) -> Path:
    path = tmp_path / "faq.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _record(**fields) -> str:
    return json.dumps(fields)


@pytest.fixture
def jsonl_load(tmp_path):
    lines = [
        _record(id="a", question="q?", answer="An IOP lasts 12 weeks.", focus="IOP"),  # 1
        "{not json",  # 2
        _record(id="b", question="q?"),  # 3: no answer
        _record(id="a", question="q?", answer="again"),  # 4: duplicate id
        _record(id="big", question="q?", answer="x " * 2_600_000),  # 5: a 5 MB answer
        _record(id="h", question="q?", answer="<p>Covered by <b>insurance</b></p><ul><li>one</li></ul>"),  # 6
        "[1, 2]",  # 7: not an object
        _record(id="blank", answer="   "),  # 8
    ]
    report = LoadReport()
    docs = list(iter_jsonl(_jsonl(tmp_path, lines), report))
    return {d.id: d for d in docs}, report


def test_jsonl_good_records_load(jsonl_load):
    assert sorted(jsonl_load[0]) == ["a", "big", "h"]


@pytest.mark.parametrize("line, why", [
    (2, "not JSON"), (3, "no answer"), (4, "duplicate id"), (7, "not a JSON object"), (8, "no answer"),
])
def test_jsonl_problem_reported_with_line(jsonl_load, line, why):
    assert any(p.startswith(f"faq.jsonl:{line}:") and why in p for p in jsonl_load[1].problems)


def test_jsonl_problem_count(jsonl_load):
    assert len(jsonl_load[1].problems) == 5


@pytest.mark.parametrize("line, how", [(5, "cut to"), (6, "HTML")])
def test_jsonl_record_loaded_with_a_change_reported_with_line(jsonl_load, line, how):
    assert any(p.startswith(f"faq.jsonl:{line}:") and how in p for p in jsonl_load[1].handled)


def test_jsonl_big_answer_is_cut(jsonl_load):
    assert len(jsonl_load[0]["big"].text) == MAX_RECORD_CHARS


def test_jsonl_first_record_keeps_original_answer(jsonl_load):
    assert jsonl_load[0]["a"].text == "An IOP lasts 12 weeks."


@pytest.mark.parametrize("doc_id, fmt", [("a", "text"), ("h", "html")])
def test_jsonl_html_answers_are_marked_html(jsonl_load, doc_id, fmt):
    assert jsonl_load[0][doc_id].format == fmt


def test_jsonl_html_field_is_cleaned_to_text(jsonl_load):
    from bot.clean import clean_document
    cleaned = clean_document(jsonl_load[0]["h"])
    assert "<" not in cleaned.text and "insurance" in cleaned.text


def test_jsonl_source_names_file_and_line(jsonl_load):
    assert jsonl_load[0]["h"].source == "faq.jsonl:6"


def test_jsonl_title_is_focus_or_id(jsonl_load):
    assert (jsonl_load[0]["a"].title, jsonl_load[0]["h"].title) == ("IOP", "h")


def test_jsonl_non_utf8_line_is_reported(tmp_path):
    path = tmp_path / "faq.jsonl"
    path.write_bytes(_record(id="a", answer="ok").encode() + b"\n\xff\xfe{}\n")
    report = LoadReport()
    assert [d.id for d in iter_jsonl(path, report)] == ["a"]
    assert report.problems[0].startswith("faq.jsonl:2:")
