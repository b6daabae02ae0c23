"""The engine: built from settings, cached on disk by a key, corrupt caches rebuilt, not served."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.engine import Engine, cache_key, index_dir
from bot.settings import load_settings
from bot.sources import CorpusError, load_folder

SHIPPED = Path(load_settings({}, environ={})["CORPUS_DIR"])


def _settings(tmp_path, **extra):
    return load_settings({"INDEX_DIR": str(tmp_path / "index"), **extra}, environ={})


def _cache_files(settings):
    return sorted(index_dir(settings).glob("engine-*.pickle"))


@pytest.fixture
def corpus(tmp_path):
    """A private copy of the shipped corpus, safe to edit."""
    folder = tmp_path / "corpus"
    shutil.copytree(SHIPPED, folder)
    return folder


def test_first_call_builds(tmp_path):
    assert Engine.from_settings(_settings(tmp_path)).cache_status == "built"


def test_first_call_writes_one_cache_file(tmp_path):
    settings = _settings(tmp_path)
    Engine.from_settings(settings)
    assert len(_cache_files(settings)) == 1


def test_second_call_loads(tmp_path):
    settings = _settings(tmp_path)
    Engine.from_settings(settings)
    assert Engine.from_settings(settings).cache_status == "loaded"


def test_loaded_engine_answers_like_built(tmp_path):
    settings = _settings(tmp_path)
    built = Engine.from_settings(settings).search("how long does iop last")
    loaded = Engine.from_settings(settings).search("how long does iop last")
    assert [h.chunk.id for h in loaded.hits] == [h.chunk.id for h in built.hits]


@pytest.mark.parametrize("garbage", [b"", b"\x00garbage\xff" * 100, b"\x80\x05N."])
def test_corrupt_cache_is_rebuilt(tmp_path, garbage, caplog):
    settings = _settings(tmp_path)
    Engine.from_settings(settings)
    (path,) = _cache_files(settings)
    path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="bot.engine"):
        assert Engine.from_settings(settings).cache_status == "built"


def test_corrupt_cache_is_replaced(tmp_path):
    settings = _settings(tmp_path)
    Engine.from_settings(settings)
    (path,) = _cache_files(settings)
    path.write_bytes(b"garbage")
    Engine.from_settings(settings)
    assert Engine.from_settings(settings).cache_status == "loaded"


def test_synonyms_change_changes_key(corpus, tmp_path):
    settings = _settings(tmp_path, CORPUS_DIR=str(corpus))
    before = cache_key(settings, load_folder(corpus))
    path = corpus / "synonyms.toml"
    path.write_text(path.read_text("utf-8") + '\nextra = ["extra words"]\n', encoding="utf-8")
    assert cache_key(settings, load_folder(corpus)) != before


def test_synonyms_change_rebuilds(corpus, tmp_path):
    settings = _settings(tmp_path, CORPUS_DIR=str(corpus))
    Engine.from_settings(settings)
    path = corpus / "synonyms.toml"
    path.write_text(path.read_text("utf-8").replace('"evenings", ', ""), encoding="utf-8")
    assert Engine.from_settings(settings).cache_status == "built"


@pytest.mark.parametrize("name, value", [("BM25_VARIANT", "plus"), ("BM25_K1", 1.5), ("BM25_B", 0.75),
                                         ("HEADING_WEIGHT", 1), ("TITLE_WEIGHT", 1), ("CHUNK_MAX_WORDS", 60),
                                         ("ONE_PASSAGE_PER_DOCUMENT", 1)])
def test_index_setting_changes_key(tmp_path, name, value):
    documents = load_folder(SHIPPED)
    assert cache_key(_settings(tmp_path, **{name: value}), documents) != cache_key(_settings(tmp_path), documents)


def test_unrelated_setting_keeps_key(tmp_path):
    documents = load_folder(SHIPPED)
    assert cache_key(_settings(tmp_path, ANSWER_MAX_WORDS=50), documents) == cache_key(_settings(tmp_path), documents)


def test_corpus_change_changes_key(corpus, tmp_path):
    settings = _settings(tmp_path, CORPUS_DIR=str(corpus))
    before = cache_key(settings, load_folder(corpus))
    (corpus / "extra.txt").write_text("Extra page\n\nAn IOP is part-time care.", encoding="utf-8")
    assert cache_key(settings, load_folder(corpus)) != before


def test_missing_corpus_fails_naming_folder(tmp_path):
    with pytest.raises(CorpusError, match="no-such-corpus"):
        Engine.from_settings(_settings(tmp_path, CORPUS_DIR=str(tmp_path / "no-such-corpus")))


def test_unwritable_index_dir_still_builds(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = load_settings({"INDEX_DIR": str(blocker / "index")}, environ={})
    assert Engine.from_settings(settings).cache_status == "built"


def test_build_counts_shipped_documents(tmp_path):
    assert len(Engine.build(_settings(tmp_path)).documents) == len(list(SHIPPED.glob("*.txt")))
