"""Cleaning: from a scraped page to readable blocks and sections, with the noise taken out.

Noise handled in general (code): text encoded twice, non-breaking spaces, breadcrumbs, bylines and
dates, bare domains and image captions that repeat a heading, editorial placeholders, paragraphs
carrying an injected link, list lead-ins whose list never made it into the scrape, empty headings.
Judgments about particular sites (which banners, promos and back-matter sections to drop, which
flattened lines are tables) live in the corpus's ``cleaning.toml`` so an operator can edit them.
Cleaning only removes, re-encodes and re-arranges text: it never invents words.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from bot.models import Block, CleanedDocument, Document, Section

log = logging.getLogger(__name__)

# --- text encoded twice -------------------------------------------------------------------------
# Single-byte code pages a UTF-8 page is commonly mis-decoded as. WHATWG decoders (what scrapers and
# browsers use) fill windows-874's 0x80-0x9F from windows-1252, so we do too.
_MOJIBAKE_CODECS = ("cp1252", "cp874", "cp1250", "cp1251", "latin-1")


def _byte_map(codec: str) -> dict[str, int]:
    table = {}
    for byte in range(0x80, 0x100):
        for source in (codec, "cp1252"):
            try:
                table.setdefault(bytes([byte]).decode(source), byte)
                break
            except UnicodeDecodeError:
                continue
    return table


_BYTE_MAPS = [_byte_map(codec) for codec in _MOJIBAKE_CODECS]
# Code pages whose upper half is a living script (Thai, Cyrillic, Central European): two of their
# letters in a row are often real words, so only sequences with a windows-1252 C1 byte count there.
_LETTER_CODEPAGES = {"cp874", "cp1250", "cp1251"}


def _plausible(char: str) -> bool:
    """What English web text double-encodes: Latin letters, punctuation, currency, ™ and the like."""
    code = ord(char)
    return 0xA0 <= code <= 0x24F or 0x2000 <= code <= 0x214F


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as a single-byte code page ("โ€™" -> "’"), leaving real text alone.

    Repeated until nothing changes (text encoded twice over), so the result is a fixed point.
    """
    for _ in range(4):
        fixed = _fix_once(text)
        if fixed == text:
            return fixed
        text = fixed
    return text


def _fix_once(text: str) -> str:
    if text.isascii():
        return text
    out, i = [], 0
    while i < len(text):
        for codec, table in zip(_MOJIBAKE_CODECS, _BYTE_MAPS):
            lead = table.get(text[i])
            if lead is None or lead < 0xC2 or lead > 0xF4:
                continue
            size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            raw = [lead] + [table.get(c, -1) for c in text[i + 1:i + size]]
            if codec in _LETTER_CODEPAGES and not any(0x80 <= b < 0xA0 for b in raw[1:]):
                continue
            if len(raw) == size and all(0x80 <= b <= 0xBF for b in raw[1:]):
                try:
                    decoded = bytes(raw).decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if not _plausible(decoded):
                    continue
                out.append(decoded)
                i += size
                break
            if (size == 3 and len(raw) == 3 and raw[-1] == -1 and 0x80 <= raw[1] <= 0xBF
                    and text[i + 2] == " "):
                # A byte lost to whitespace (0x9D is undefined in windows-1252): "โ€ " is "”".
                try:
                    decoded = bytes(raw[:-1] + [0x9D]).decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if _plausible(decoded):
                    out.append(decoded)
                    i += size - 1  # the byte was dropped; the space after it is the text's own
                    break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def normalize_text(text: str) -> str:
    """Re-decode, NFC, non-breaking and odd spaces to plain ones, no control characters."""
    text = unicodedata.normalize("NFC", fix_mojibake(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\t]", " ", text)
    return "".join(c for c in text if c == "\n" or unicodedata.category(c)[0] != "C")


# --- rules --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableRule:
    header: re.Pattern
    columns: tuple[str, ...]
    row_start: re.Pattern | None = None


@dataclass(frozen=True)
class CleaningRules:
    drop_lines: tuple[re.Pattern, ...] = ()
    drop_sections: tuple[re.Pattern, ...] = ()
    promo_sentences: tuple[re.Pattern, ...] = ()
    spam_words: tuple[str, ...] = ()
    tables: tuple[TableRule, ...] = ()


def _patterns(values, path) -> tuple[re.Pattern, ...]:
    try:
        return tuple(re.compile(v, re.IGNORECASE) for v in values)
    except re.error as exc:
        raise ValueError(f"{path}: bad pattern: {exc}") from exc


def load_rules(path: str | Path | None) -> CleaningRules:
    """Read a corpus's cleaning.toml; no file means the generic rules only."""
    if not path or not Path(path).is_file():
        return CleaningRules()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid cleaning rules file: {exc}") from exc
    tables = tuple(
        TableRule(header=_patterns([t["header"]], path)[0], columns=tuple(t["columns"]),
                  row_start=_patterns([t["row_start"]], path)[0] if t.get("row_start") else None)
        for t in data.get("tables", []))
    return CleaningRules(
        drop_lines=_patterns(data.get("drop_lines", []), path),
        drop_sections=_patterns(data.get("drop_sections", []), path),
        promo_sentences=_patterns(data.get("promo_sentences", []), path),
        spam_words=tuple(w.lower() for w in data.get("spam_words", [])),
        tables=tables,
    )


# --- generic noise ------------------------------------------------------------------------------
_BULLET = re.compile(r"^(?:[-•*▪●◦‣]|\d{1,2}[.)])\s+")
_BYLINE = re.compile(
    r"^(?:(?:last\s+)?updated(?:\s+on)?:?|published(?:\s+on)?:?|retrieved(?:\s+on)?|posted(?:\s+on)?:?)\s+\w+"
    r"|.*\breviewed by\b|^\d+\s+sources?\s+cited$|^(?:by|written by|author:)\s+[A-Z]", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\S*$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:leave here|insert|add (?:the|here)|todo|tbd|tk|placeholder|lorem ipsum)\b|\[(?:insert|add|todo)[^\]]*\]"
    r"|(?<![\d,])(?<![\d,] )\bxxx+\b", re.IGNORECASE)  # after a count it is a karyotype: "47,XXX", "48, XXXX"
_INLINE_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_DEFINITION = re.compile(r"^[A-Z][\w ()/&'-]{2,60}? [–—] \S")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"”’)]*|$)\s*")


def _is_heading(line: str) -> bool:
    """A short line without closing punctuation, or a short question standing alone."""
    words = line.split()
    if not words or len(words) > 16 or len(line) > 130 or _INLINE_LINK.search(line):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    return line.endswith("?") or not re.search(r"[.,;:!]$", line)


def _strip_number(heading: str) -> str:
    return re.sub(r"^\d{1,2}[.)]\s+", "", heading)


def _classify_lines(text: str) -> list[Block]:
    """Plain-text lines to blocks: headings, paragraphs and list items (kind "list")."""
    blocks = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blocks.append(Block("blank", ""))
        elif _BULLET.match(line) and not (line.endswith("?") and re.match(r"^\d", line)):
            blocks.append(Block("list", _BULLET.sub("", line, count=1).strip()))
        elif _DEFINITION.match(line) and line.endswith("."):
            blocks.append(Block("list", line))  # "Term (T) – what it is": a list item without a bullet
        elif _is_heading(line):
            blocks.append(Block("heading", _strip_number(line), level=2))
        else:
            blocks.append(Block("paragraph", line))
    return blocks


def _markdown_blocks(text: str) -> list[Block]:
    blocks = []
    for raw in text.split("\n"):
        match = re.match(r"^(#{1,6})\s+(.*)$", raw.strip())
        if match:
            blocks.append(Block("heading", match.group(2).strip(" #"), level=min(len(match.group(1)), 3)))
        else:
            blocks.extend(_classify_lines(raw))
    return blocks


def _html_blocks(text: str) -> list[Block]:
    """HTML through a real parser: headings, paragraphs, list items and table rows in order."""
    from bs4 import BeautifulSoup  # a real HTML parser; only needed for .html sources

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe"]):
        tag.decompose()
    blocks: list[Block] = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table"]):
        if el.find_parent(["table"]) or (el.name == "p" and el.find_parent("li")):
            continue
        content = " ".join(el.get_text(" ").split())
        if el.name == "table":
            rows = [[" ".join(c.get_text(" ").split()) for c in tr.find_all(["th", "td"])] for tr in el.find_all("tr")]
            rows = [r for r in rows if any(r)]
            if len(rows) >= 2:
                blocks.extend(_table_blocks(rows[0], rows[1:]))
        elif not content:
            continue
        elif el.name[0] == "h":
            blocks.append(Block("heading", content, level=min(int(el.name[1]), 3)))
        elif el.name == "li":
            blocks.append(Block("list", content))
        else:
            blocks.append(Block("paragraph", content))
        blocks.append(Block("blank", ""))
    return blocks


# --- tables -------------------------------------------------------------------------------------
_SMALL_WORDS = {"and", "or", "of", "per", "to", "the", "a", "an", "in", "on", "for", "with", "vs", "vs."}


def _split_label(line: str) -> tuple[str, str]:
    """Split "Length of Treatment Flexible; typically..." into its Title Case label and the value."""
    words = line.split(" ")
    last_cap = None
    for i, word in enumerate(words):
        if word[:1].isupper():
            last_cap = i
        elif word.lower() in _SMALL_WORDS or re.match(r"^[\d-]+:?$", word):
            continue
        else:
            break
    if not last_cap:
        return line, ""
    return " ".join(words[:last_cap]), " ".join(words[last_cap:])


def _split_cells(value: str, count: int) -> list[str] | None:
    """Split one flattened row value into ``count`` cells at the most plausible word boundaries."""
    words = value.split(" ")
    candidates, depth = [], 0
    for i, word in enumerate(words):
        if i and depth == 0 and (word[:1].isupper() or word[:1].isdigit()):
            before = words[i - 1]
            if not re.search(r"[,(;:]$", before) and before.lower() not in _SMALL_WORDS | {"not", "than", "from"}:
                candidates.append(i)
        depth += word.count("(") - word.count(")")
    if count == 1:
        return [value]
    best, best_score = None, None
    for cut in combinations(candidates, count - 1):
        bounds = (0,) + cut + (len(words),)
        cells = [words[a:b] for a, b in zip(bounds, bounds[1:])]
        firsts = [c[0].lower() for c in cells]
        score = sum(len(c) == 1 for c in cells) * 5 - (len(set(firsts)) < len(firsts)) * 2
        score -= sum(words[b - 1].endswith(")") for b in cut)  # a cell often ends after its parenthesis
        if best_score is None or score < best_score:
            best, best_score = cells, score
    return [" ".join(c) for c in best] if best else None


def _table_blocks(header: list[str], rows: list[list[str]]) -> list[Block]:
    """One heading per row (its label), one line per cell naming its column, so a row is a passage.

    The row label is the passage's heading rather than repeated on every cell line: repeated, it
    would outweigh the cell text for BM25.
    """
    blocks = []
    for row in rows:
        label, cells = row[0], row[1:]
        blocks.append(Block("heading", label, level=3))
        if len(header) == 2:
            lines = [f"{label}: {cells[0]}"] + cells[1:] if cells else []
        else:
            lines = [f"{col}: {cell}" for col, cell in zip(header[1:], cells) if cell]
        blocks.extend(Block("table", line) for line in lines)
        blocks.append(Block("blank", ""))
    return blocks


def _rebuild_tables(blocks: list[Block], rules: CleaningRules, removed: list[str]) -> list[Block]:
    """Find flattened tables named in the rules and turn them back into labelled rows."""
    out, i = [], 0
    while i < len(blocks):
        rule = next((r for r in rules.tables if r.header.fullmatch(blocks[i].text)), None)
        if rule is None:
            out.append(blocks[i])
            i += 1
            continue
        i += 1
        rows: list[list[str]] = []
        while i < len(blocks) and blocks[i].kind != "blank":
            line = blocks[i].text
            starts_row = rule.row_start.match(line) if rule.row_start else True
            if starts_row or not rows:
                label, value = _split_label(line)
                cells = _split_cells(value, len(rule.columns) - 1) if len(rule.columns) > 2 else [value]
                if cells is None:
                    removed.append(f"table row kept whole (cells not found): {label}")
                    cells = [value]
                rows.append([label] + cells)
            else:
                rows[-1].append(line)  # a continuation line of a two-column row's last cell
            i += 1
        if len(rule.columns) == 2:
            rows = [[r[0], *r[1:]] for r in rows]
        out.extend(_table_blocks(list(rule.columns), rows))
    return out


# --- the cleaning pass --------------------------------------------------------------------------
@dataclass
class _Cleaner:
    document: Document
    rules: CleaningRules
    guesses: bool = True  # the generic noise heuristics; the corpus's own rules always apply
    removed: list[str] = field(default_factory=list)

    def drop(self, why: str, text: str) -> None:
        self.removed.append(f"{why}: {text[:60]}")

    def is_chrome_line(self, block: Block) -> bool:
        text = block.text
        if any(p.fullmatch(text) for p in self.rules.drop_lines):
            self.drop("site chrome", text)
        elif not self.guesses:
            return False
        elif _BYLINE.match(text):
            self.drop("byline or date", text)
        elif _BARE_DOMAIN.match(text):
            self.drop("bare domain or caption", text)
        elif _PLACEHOLDER.search(text):
            self.drop("editorial placeholder", text)
        else:
            return False
        return True

    def is_spam(self, block: Block) -> bool:
        lowered = block.text.lower()
        if self.guesses and block.kind == "paragraph" and _INLINE_LINK.search(block.text) and len(block.text.split()) > 12:
            self.drop("paragraph with an injected link", block.text)
            return True
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in self.rules.spam_words):
            self.drop("spam", block.text)
            return True
        return False

    def without_promo(self, block: Block) -> Block | None:
        if block.kind != "paragraph" or not self.rules.promo_sentences:
            return block
        sentences = _SENTENCE.findall(block.text)
        kept = [s for s in sentences if not any(p.fullmatch(s.strip()) for p in self.rules.promo_sentences)]
        if len(kept) == len(sentences):
            return block
        if len(kept) * 2 <= len(sentences):
            self.drop("promotional paragraph", block.text)
            return None
        self.drop("promotional sentence", block.text)
        return Block(block.kind, "".join(kept).strip())

    def run(self) -> list[Block]:
        doc = self.document
        text = normalize_text(doc.text)
        if doc.format == "html":
            blocks = _html_blocks(text)
        elif doc.format == "markdown":
            blocks = _markdown_blocks(text)
        else:
            blocks = _classify_lines(text)
        blocks = _rebuild_tables(blocks, self.rules, self.removed)
        if self.guesses:
            blocks = self.drop_breadcrumbs(blocks)
        kept: list[Block] = []
        skipping_section = False
        for block in blocks:
            if block.kind == "blank":
                kept.append(block)
                continue
            if block.kind == "heading" and block.level <= 2:
                skipping_section = any(p.fullmatch(block.text) for p in self.rules.drop_sections)
                if skipping_section:
                    self.drop("back-matter section", block.text)
                    continue
            if skipping_section:
                self.drop("in a dropped section", block.text)
                continue
            if self.is_chrome_line(block) or self.is_spam(block):
                continue
            if self.guesses and block.kind in ("heading", "paragraph") and self.repeats_heading(block, kept):
                continue
            cleaned = self.without_promo(block)
            if cleaned is not None:
                kept.append(cleaned)
        return self.drop_orphans(kept) if self.guesses else kept

    def drop_breadcrumbs(self, blocks: list[Block]) -> list[Block]:
        """A list at the very top that starts with "Home" is navigation, not content."""
        first = next((i for i, b in enumerate(blocks) if b.kind != "blank"), None)
        if first is None or blocks[first].kind != "list" or blocks[first].text.lower() != "home":
            return blocks
        end = first
        while end < len(blocks) and blocks[end].kind == "list":
            self.drop("breadcrumb", blocks[end].text)
            end += 1
        return blocks[end:]

    def repeats_heading(self, block: Block, kept: list[Block]) -> bool:
        """Image alt text and captions often repeat the heading just above them."""
        previous = next((b for b in reversed(kept) if b.kind != "blank"), None)
        if previous is None or previous.kind != "heading" or re.search(r"[.!]$", block.text):
            return False
        norm = re.sub(r"\W+", " ", block.text.lower()).strip()
        heading = re.sub(r"\W+", " ", previous.text.lower()).strip()
        if norm and heading.startswith(norm):
            self.drop("repeats a heading", block.text)
            return True
        return False

    def drop_orphans(self, blocks: list[Block]) -> list[Block]:
        """Lead-ins to a list that was never scraped, and headings left with nothing under them."""
        content = [b for b in blocks if b.kind != "blank"]
        out: list[Block] = []
        for i, block in enumerate(content):
            nxt = content[i + 1] if i + 1 < len(content) else None
            if block.kind == "paragraph" and re.search(r"[:;]$", block.text):
                follows_list = nxt is not None and (nxt.kind in ("list", "table") or (
                    nxt.kind == "heading" and not nxt.text.endswith("?") and len(nxt.text.split()) <= 6))
                if not follows_list:
                    sentences = _SENTENCE.findall(block.text)
                    self.drop("lead-in to a missing list", sentences[-1])
                    if len(sentences) == 1:
                        continue
                    block = Block(block.kind, "".join(sentences[:-1]).strip())
            out.append(block)
        return out


def _sections(document: Document, blocks: list[Block]) -> tuple[str, tuple[Section, ...]]:
    """Lay the blocks out as text and cut it at headings; an empty heading over questions is a parent."""
    parts: list[str] = []
    sections: list[Section] = []
    offset = 0
    path: tuple[str, ...] = ()
    parent: str | None = None
    body: list[str] = []
    kinds: list[str] = []

    def flush() -> None:
        nonlocal offset
        if not body:
            return
        lines = [("- " + t if k == "list" else t) for t, k in zip(body, kinds)]
        text = "\n".join(lines)
        sections.append(Section(document.id, path, text, offset, offset + len(text)))
        parts.append(text)
        offset += len(text) + 2
        body.clear()
        kinds.clear()

    title_seen = False
    for i, block in enumerate(blocks):
        if block.kind == "heading":
            if not title_seen and not sections and not body and block.text == document.title:
                title_seen = True
                continue
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            had_body = bool(body)
            flush()
            if block.level >= 3 and path:
                path = (path[0], block.text)
            elif nxt is not None and nxt.kind == "heading" and nxt.level == 2 and nxt.text.endswith("?"):
                parent = block.text  # "Frequently Asked Questions" over question headings
                path = (parent,)
            elif parent and block.text.endswith("?") and not had_body and path and path[0] == parent:
                path = (parent, block.text)
            elif parent and block.text.endswith("?") and path and path[0] == parent:
                path = (parent, block.text)
            else:
                parent = None
                path = (block.text,)
        else:
            body.append(block.text)
            kinds.append(block.kind)
    flush()
    return "\n\n".join(parts), tuple(sections)


def clean_document(document: Document, rules: CleaningRules | None = None) -> CleanedDocument:
    """The whole cleaning pass for one document; the generic guesses never empty a document on their own.

    They are tuned for noise around a page's content (a byline, a spam paragraph with a link): when a
    document is one paragraph (a question-answer record) they would otherwise drop its only content.
    Then it is cleaned again with the corpus's own rules only, and if only headings are left (an
    answer that is one question), they are its text.
    """
    rules = rules or CleaningRules()
    cleaner = _Cleaner(document, rules)
    blocks = cleaner.run()
    if not any(b.kind not in ("heading", "blank") for b in blocks):
        guessed = cleaner.removed
        cleaner = _Cleaner(document, rules, guesses=False)
        blocks = cleaner.run()
        if guessed != cleaner.removed:
            cleaner.removed.append("kept: the generic noise rules would have left no text")
        if not any(b.kind not in ("heading", "blank") for b in blocks):
            blocks = [Block("paragraph", b.text) if b.kind == "heading" else b for b in blocks]
    text, sections = _sections(document, blocks)
    return CleanedDocument(document, text, sections, tuple(cleaner.removed))
