"""The pipeline assembled, top to bottom: files, documents, cleaned sections, passages, index, retriever.

Built once per process and cached on disk, keyed by a hash of the corpus files, the rule and synonym
files, the settings that shape the index, and the pipeline's own code; a stale or corrupt cache is
rebuilt, never served.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.chunk import chunk_all
from bot.clean import clean_document, load_rules
from bot.index import BM25Index
from bot.models import Chunk, CleanedDocument, Document, SearchResult
from bot.retrieve import Retriever, sentence_terms
from bot.settings import PACKAGE_DIR
from bot.sources import LoadReport, load_folder
from bot.text import Analyzer, load_forms, load_synonyms, train_sentence_splitter

log = logging.getLogger(__name__)

INDEX_SETTINGS = ("BM25_VARIANT", "BM25_K1", "BM25_B", "HEADING_WEIGHT", "TITLE_WEIGHT", "CHUNK_MAX_WORDS",
                  "ONE_PASSAGE_PER_DOCUMENT")
PIPELINE_CODE = ("sources.py", "clean.py", "chunk.py", "text.py", "index.py", "retrieve.py", "engine.py",
                 "models.py", "data/stopwords.txt", "data/english_words.txt", "data/spanish_words.txt",
                 "data/names.txt", "data/shorthand.txt")


def _corpus_file(settings: dict, key: str, default_name: str) -> Path | None:
    path = settings.get(key) or Path(settings["CORPUS_DIR"]) / default_name
    return Path(path) if Path(path).is_file() else None


@dataclass
class Engine:
    settings: dict
    documents: tuple[Document, ...]
    cleaned: tuple[CleanedDocument, ...]
    chunks: tuple[Chunk, ...]
    analyzer: Analyzer
    retriever: Retriever
    report: LoadReport = field(default_factory=LoadReport)
    cache_status: str = "built"

    def search(self, question: str, k: int = 10, asked: str | None = None) -> SearchResult:
        return self.retriever.search(question, k, asked)

    # --- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, settings: dict, documents: list[Document] | None = None,
              report: LoadReport | None = None) -> "Engine":
        """Run the whole pipeline on the corpus folder (or the documents given)."""
        report = report or LoadReport()
        if documents is None:
            documents = load_folder(settings["CORPUS_DIR"], report)
        rules = load_rules(_corpus_file(settings, "CLEANING_FILE", "cleaning.toml"))
        cleaned = [clean_document(d, rules) for d in documents]
        lexicon = _corpus_file(settings, "SYNONYMS_FILE", "synonyms.toml")
        analyzer = Analyzer(synonyms=load_synonyms(lexicon), narrower=load_synonyms(lexicon, "narrower"),
                            forms=load_forms(lexicon), answered_together=load_synonyms(lexicon, "answered_together"),
                            splitter=train_sentence_splitter(c.text for c in cleaned))
        chunks = chunk_all(cleaned, int(settings["CHUNK_MAX_WORDS"]), analyzer.sentence_spans)
        if not chunks:
            raise ValueError(f"no passages left after cleaning the corpus in {settings['CORPUS_DIR']}")
        weight, title_weight = int(settings["HEADING_WEIGHT"]), int(settings["TITLE_WEIGHT"])
        titled = title_weight > 0  # an unindexed title's words are not corpus words either
        analyzer.learn_vocabulary(c.text + "\n" + " ".join(c.heading_path) + ("\n" + c.title) * titled
                                  for c in chunks)
        tokenized = [analyzer.terms(c.title) * title_weight + analyzer.terms(" ".join(c.heading_path)) * weight
                     + analyzer.terms(c.context) + analyzer.terms(c.text) for c in chunks]
        numbers = {d.id: n for n, d in enumerate(documents)}  # chunks come document by document
        groups = [numbers[c.doc_id] for c in chunks] if int(settings["ONE_PASSAGE_PER_DOCUMENT"]) else None
        index = BM25Index(tokenized, settings["BM25_VARIANT"], float(settings["BM25_K1"]), float(settings["BM25_B"]),
                          groups)
        chunk_terms = tuple(frozenset(t) for t in tokenized)
        retriever = Retriever(tuple(chunks), chunk_terms, index, analyzer,
                              sentence_terms(tuple(chunks), chunk_terms, analyzer))
        return cls(settings, tuple(documents), tuple(cleaned), tuple(chunks), analyzer, retriever, report)

    @classmethod
    def from_settings(cls, settings: dict, rebuild: bool = False) -> "Engine":
        """Load the cached engine for this corpus and configuration, or build and cache it."""
        report = LoadReport()
        documents = load_folder(settings["CORPUS_DIR"], report)  # fails fast, naming the folder
        key = cache_key(settings, documents)
        path = index_dir(settings) / f"engine-{key}.pickle"
        started = time.perf_counter()
        if path.is_file() and not rebuild:
            try:
                with open(path, "rb") as handle:
                    engine = pickle.load(handle)
                if isinstance(engine, cls) and engine.settings.get("_cache_key") == key:
                    engine.settings = {**settings, "_cache_key": key}
                    engine.report, engine.cache_status = report, "loaded"
                    log.info("index loaded from %s in %.0f ms", path, (time.perf_counter() - started) * 1000)
                    return engine
                log.warning("index cache %s does not match; rebuilding", path)
            except Exception as exc:  # a corrupt cache of any kind is rebuilt, never served
                log.warning("index cache %s unreadable (%s); rebuilding", path, exc.__class__.__name__)
        engine = cls.build({**settings, "_cache_key": key}, documents, report)
        _write_atomically(path, engine)
        log.info("index built (%d passages) in %.0f ms", len(engine.chunks), (time.perf_counter() - started) * 1000)
        return engine

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["report"] = None
        return state


def index_dir(settings: dict) -> Path:
    return Path(settings.get("INDEX_DIR") or Path(tempfile.gettempdir()) / "bot-index")


def cache_key(settings: dict, documents: list[Document]) -> str:
    """Changes whenever anything that shapes the index changes."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(repr(doc).encode("utf-8"))
    for key, name in (("CLEANING_FILE", "cleaning.toml"), ("SYNONYMS_FILE", "synonyms.toml")):
        path = _corpus_file(settings, key, name)
        digest.update(path.read_bytes() if path else b"-")
    for name in INDEX_SETTINGS:
        digest.update(f"{name}={settings[name]}".encode())
    for name in PIPELINE_CODE:
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def _write_atomically(path: Path, engine: Engine) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(engine, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only disk costs start-up time, not availability
        log.warning("could not write the index cache %s: %s", path, exc)
