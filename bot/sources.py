"""Loading: source files (and JSONL collections) to Documents with their metadata.

A file that can't be decoded or a record that can't be read is reported by name (and line) and
skipped; the rest still load. An empty corpus is an error at start-up, naming the folder.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from bot.models import Document

log = logging.getLogger(__name__)

FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
METADATA_FILE = "metadata.toml"
MAX_RECORD_CHARS = 1_000_000  # a record beyond this is cut: one giant page must not dominate the index
_HTML_BLOCK = re.compile(r"<(p|br|div|li|ul|h\d|table)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>", re.IGNORECASE)  # a title is one line: tags are only markup there


class CorpusError(Exception):
    """The corpus can't be loaded at all (missing, unreadable, empty)."""


@dataclass
class LoadReport:
    loaded: int = 0
    problems: list[str] = field(default_factory=list)  # skipped, with where and why
    handled: list[str] = field(default_factory=list)  # loaded, but changed or read differently

    def problem(self, where: str, why: str) -> None:
        self.problems.append(f"{where}: {why}")
        log.warning("skipped %s: %s", where, why)

    def handle(self, where: str, how: str) -> None:
        self.handled.append(f"{where}: {how}")
        log.info("loaded %s: %s", where, how)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "doc"


def read_metadata(folder: Path) -> dict[str, dict]:
    """metadata.toml's [[document]] tables, by file name."""
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not valid TOML: {exc}") from exc
    return {str(entry["file"]): entry for entry in data.get("document", []) if "file" in entry}


def load_folder(folder: str | Path, report: LoadReport | None = None) -> list[Document]:
    """Every .txt/.md/.html file in ``folder`` (sorted by name), with metadata.toml applied."""
    folder = Path(folder)
    report = report if report is not None else LoadReport()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found or not a folder: {folder}")
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FORMATS and p.is_file())
    except OSError as exc:
        raise CorpusError(f"corpus folder unreadable: {folder}: {exc}") from exc
    metadata = read_metadata(folder)
    documents, seen = [], set()
    for path in files:
        meta = metadata.get(path.name, {})
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            report.problem(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        except OSError as exc:
            report.problem(path.name, f"unreadable ({exc.strerror})")
            continue
        if not text.strip():
            report.problem(path.name, "empty file")
            continue
        doc_id = str(meta.get("id") or _slug(path.stem))
        if doc_id in seen:
            report.problem(path.name, f"duplicate id {doc_id!r}")
            continue
        seen.add(doc_id)
        first_line = next(line.strip() for line in text.splitlines() if line.strip())
        title = str(meta.get("title") or first_line.lstrip("#").strip())
        documents.append(Document(
            id=doc_id, title=title, text=text, source=path.name, format=FORMATS[path.suffix.lower()],
            publisher=meta.get("publisher"), url=meta.get("url"),
            published=str(meta["published"]) if "published" in meta else None,
            updated=str(meta["updated"]) if "updated" in meta else None))
        report.loaded += 1
    if not documents:
        raise CorpusError(f"no readable documents (.txt, .md, .html) in {folder}")
    return documents


def iter_jsonl(path: str | Path, report: LoadReport | None = None) -> Iterator[Document]:
    """A JSONL collection (id, question, answer, focus, url): one Document per answer, title = focus."""
    report = report if report is not None else LoadReport()
    seen: set[str] = set()
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{Path(path).name}:{number}"
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                report.problem(where, f"not JSON ({exc.__class__.__name__})")
                continue
            if not isinstance(record, dict):
                report.problem(where, "not a JSON object")
                continue
            answer = record.get("answer")
            if not isinstance(answer, str) or not answer.strip():
                report.problem(where, "no answer")
                continue
            doc_id = str(record.get("id") or number)
            if doc_id in seen:
                report.problem(where, f"duplicate id {doc_id!r}")
                continue
            seen.add(doc_id)
            if len(answer) > MAX_RECORD_CHARS:
                report.handle(where, f"answer of {len(answer)} characters cut to {MAX_RECORD_CHARS}")
                answer = answer[:MAX_RECORD_CHARS]
            is_html = bool(_HTML_BLOCK.search(answer))
            if is_html:
                report.handle(where, "answer is HTML: read with an HTML parser")
            title = str(record.get("focus") or "").strip()
            if _TAG.search(title):
                title = " ".join(_TAG.sub(" ", title).split())
                report.handle(where, "HTML tags removed from the title")
            report.loaded += 1
            yield Document(id=doc_id, title=title or doc_id, text=answer, source=where,
                           format="html" if is_html else "text", url=record.get("url") or None)
