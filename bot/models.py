"""The data shapes passed between pipeline stages, each a frozen dataclass with ``to_dict()``.

Source files -> Document -> Section -> Chunk -> Hit -> Citation/Reply. Every chunk carries its
provenance (document id, heading path, character span in the cleaned text), so a citation is a
lookup, never a reconstruction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One source as loaded: raw text plus the metadata an operator gave for it."""

    id: str
    title: str
    text: str
    source: str  # file name (or "file:line" for a JSONL record)
    format: str = "text"  # "text", "markdown" or "html": how ``text`` is structured
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    updated: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "text"}


@dataclass(frozen=True)
class Block:
    """One structural unit of a cleaned document: a heading, a paragraph, a list or a table row."""

    kind: str  # "heading", "paragraph", "list", "table"
    text: str
    level: int = 0  # heading level (1 = title); unused for other kinds


@dataclass(frozen=True)
class Section:
    """A heading and the cleaned text under it, with its place in the document's cleaned text."""

    doc_id: str
    heading_path: tuple[str, ...]
    text: str
    start: int  # character offset of ``text`` in the document's cleaned text
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CleanedDocument:
    """A document after cleaning: its readable text and the sections cut from it."""

    document: Document
    text: str
    sections: tuple[Section, ...]
    removed: tuple[str, ...] = ()  # why each removed piece went, for the cleaning report


@dataclass(frozen=True)
class Chunk:
    """A passage: the unit that is indexed, retrieved and cited."""

    id: str  # stable: document id plus a hash of the heading path and text
    doc_id: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    start: int  # character span in the document's cleaned text
    end: int
    url: str | None = None
    # The lead-in of a list this passage continues ("...questions you might want to ask. This may include;"),
    # when the list was too long for one passage: it lies in the passage before, and is indexed with this one
    # so the items are found, and read, as what it introduces. Never shown as this passage's text.
    context: str = ""

    @property
    def section(self) -> str:
        """The heading the passage sits under, for display ("" for a lead passage)."""
        return self.heading_path[-1] if self.heading_path else ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heading_path"] = list(self.heading_path)
        data["section"] = self.section
        return data


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its BM25 score and the query terms it matched."""

    chunk: Chunk
    score: float
    matched: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"chunk": self.chunk.to_dict(), "score": self.score, "matched": list(self.matched)}


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits for one question, and how sure we are the corpus answers it."""

    query: str
    terms: tuple[str, ...]
    hits: tuple[Hit, ...]
    confidence: float

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "terms": list(self.terms),
            "hits": [h.to_dict() for h in self.hits],
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Citation:
    """A cited passage, numbered in the order its marker first appears in the answer."""

    n: int
    id: str
    doc_id: str
    title: str
    section: str
    text: str
    url: str | None
    score: float

    def to_dict(self) -> dict:
        # Flat fields only: a plain copy, not asdict()'s recursive deep copy, on every reply.
        return {"n": self.n, "id": self.id, "doc_id": self.doc_id, "title": self.title, "section": self.section,
                "text": self.text, "url": self.url, "score": self.score}


@dataclass(frozen=True)
class Resource:
    """A crisis or help line: how to reach it and when to show it."""

    name: str
    phone: str | None = None
    sms: str | None = None
    sms_body: str | None = None  # keyword to text, e.g. "HOME" to 741741
    url: str | None = None
    description: str = ""
    kinds: tuple[str, ...] = ()  # crisis kinds this resource is shown for; empty = always

    def to_dict(self) -> dict:
        return {"name": self.name, "phone": self.phone, "sms": self.sms, "sms_body": self.sms_body,
                "url": self.url, "description": self.description}


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question: the body of ``POST /api/ask``."""

    type: str  # "answer", "fallback", "smalltalk" or "crisis"
    answer: str
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    suggestions: tuple[str, ...] = ()
    disclaimer: str = ""
    resources: tuple[Resource, ...] = ()
    note: str | None = None  # one-line resources note on sensitive-but-safe topics
    resolved_question: str | None = None  # the question after follow-up resolution
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = {
            "type": self.type,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "confidence": round(float(self.confidence), 4),
            "suggestions": list(self.suggestions),
            "disclaimer": self.disclaimer,
            "resources": [r.to_dict() for r in self.resources],
            "note": self.note,
        }
        data.update(self.extra)
        return data
