"""BM25: our sparse scores equal rank_bm25's get_scores for every variant; ties go to passage order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from bot.index import VARIANTS, BM25Index

REFERENCE = {"okapi": BM25Okapi, "plus": BM25Plus, "l": BM25L}
TERMS = st.sampled_from(["iop", "week", "therapi", "group", "cost", "insur", "home", "~iop", "famili", "plan"])
# Passages have words: rank_bm25 itself divides by zero on an empty one (BM25L with b=1, or all empty).
CORPORA = st.lists(st.lists(TERMS, min_size=1, max_size=15), min_size=1, max_size=12)
QUERIES = st.lists(st.one_of(TERMS, st.just("unseen")), max_size=6)


def test_reference_covers_every_variant():
    assert set(REFERENCE) == set(VARIANTS)


@pytest.mark.parametrize("variant", sorted(REFERENCE))
@hsettings(max_examples=75, deadline=None, database=None)
@given(corpus=CORPORA, query=QUERIES, k1=st.sampled_from([0.9, 1.2, 1.5, 2.0]), b=st.sampled_from([0.0, 0.4, 0.75, 1.0]))
def test_scores_equal_rank_bm25(variant, corpus, query, k1, b):
    assert np.allclose(BM25Index(corpus, variant, k1, b).scores(query),
                       REFERENCE[variant](corpus, k1=k1, b=b).get_scores(query))


@pytest.mark.parametrize("variant", sorted(REFERENCE))
def test_scores_equal_rank_bm25_with_defaults(variant):
    corpus = [["iop", "week", "week"], ["cost", "insur"], ["iop", "group", "therapi", "famili"], ["home"]]
    query = ["iop", "week", "cost", "iop"]
    assert np.allclose(BM25Index(corpus, variant).scores(query), REFERENCE[variant](corpus).get_scores(query))


@pytest.mark.parametrize("variant", sorted(REFERENCE))
def test_empty_corpus_is_an_error(variant):
    with pytest.raises(ValueError):
        BM25Index([], variant)


def test_unknown_variant_is_an_error():
    with pytest.raises(ValueError, match="variant"):
        BM25Index([["a"]], "bm42")


@pytest.mark.parametrize("query", [[], ["unseen"]])
def test_query_without_known_terms_scores_zero(query):
    assert not BM25Index([["a", "b"], ["c"]]).scores(query).any()


@pytest.mark.parametrize("variant", sorted(REFERENCE))
def test_ties_broken_by_passage_order(variant):
    corpus = [["x", "y"], ["a", "b"], ["a", "b"], ["c", "d"], ["a", "b"], ["e", "f"], ["g", "h"], ["i", "j"]]
    assert [i for i, _ in BM25Index(corpus, variant).top(["a"], 2)] == [1, 2]


@pytest.mark.parametrize("variant", sorted(REFERENCE))
@hsettings(max_examples=50, deadline=None, database=None)
@given(corpus=CORPORA, query=QUERIES, k=st.integers(min_value=-1, max_value=15))
def test_top_returns_at_most_k(variant, corpus, query, k):
    assert len(BM25Index(corpus, variant).top(query, k)) <= max(k, 0)


@hsettings(max_examples=50, deadline=None, database=None)
@given(corpus=CORPORA, query=QUERIES, k=st.integers(min_value=1, max_value=15))
def test_top_is_sorted_by_score_then_passage(corpus, query, k):
    top = BM25Index(corpus, "plus").top(query, k)
    assert [(-s, i) for i, s in top] == sorted((-s, i) for i, s in top)


def _full_sort(index: BM25Index, query: list[str], k: int) -> list[tuple[int, float]]:
    scores = index.scores(query)
    best = sorted((i for i in range(index.size) if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
    return [(i, float(scores[i])) for i in best]


@pytest.mark.parametrize("variant", sorted(REFERENCE))
@hsettings(max_examples=50, deadline=None, database=None)
@given(corpus=CORPORA, query=QUERIES, k=st.integers(min_value=1, max_value=15))
def test_top_is_the_best_positive_scores(variant, corpus, query, k):
    index = BM25Index(corpus, variant)
    assert index.top(query, k) == _full_sort(index, query, k)


# Skewed word frequencies, many passages, small k: the corpus shape where ``top`` skips frequent terms' rows.
SKEWED = st.sampled_from(["a"] * 12 + ["b"] * 6 + ["c"] * 3 + ["d", "e", "f", "g", "h", "i", "j"])
BIG_CORPORA = st.lists(st.lists(SKEWED, min_size=1, max_size=12), min_size=20, max_size=120)
BIG_QUERIES = st.lists(SKEWED, min_size=1, max_size=6)


@pytest.mark.parametrize("dense_share", [BM25Index.DENSE_SHARE, 2.0], ids=["as-shipped", "never-dense"])
@pytest.mark.parametrize("variant", ["okapi", "l"])
@hsettings(max_examples=150, deadline=None, database=None)
@given(corpus=BIG_CORPORA, query=BIG_QUERIES, k=st.integers(min_value=1, max_value=5),
       b=st.sampled_from([0.0, 0.4, 0.75]))
def test_pruned_top_equals_a_full_sort(dense_share, variant, corpus, query, k, b):
    """Skipping rows never changes the answer: same passages, same order, bit-identical scores."""
    index = BM25Index(corpus, variant, 1.2, b)
    index.DENSE_SHARE = dense_share
    assert index.top(query, k) == _full_sort(index, query, k)


def test_top_only_positive_scores():
    assert BM25Index([["a"], ["b"]]).top(["c"], 5) == []


@pytest.mark.parametrize("term, df", [("a", 2), ("b", 1), ("z", 0)])
def test_document_frequency(term, df):
    assert BM25Index([["a", "b"], ["a"], ["c"]]).document_frequency(term) == df


# --- one passage per group (per document) -------------------------------------------------------
def _full_sort_collapsed(index: BM25Index, query: list[str], k: int, groups: list[int]) -> list[tuple[int, float]]:
    seen, kept = set(), []
    for i, score in _full_sort(index, query, index.size):
        if groups[i] not in seen:
            seen.add(groups[i])
            kept.append((i, score))
    return kept[:k]


@pytest.mark.parametrize("dense_share", [BM25Index.DENSE_SHARE, 2.0], ids=["as-shipped", "never-dense"])
@pytest.mark.parametrize("variant", sorted(REFERENCE))
@hsettings(max_examples=100, deadline=None, database=None)
@given(corpus=BIG_CORPORA, query=BIG_QUERIES, k=st.integers(min_value=1, max_value=5), data=st.data())
def test_grouped_top_is_the_best_passage_of_the_best_groups(dense_share, variant, corpus, query, k, data):
    groups = data.draw(st.lists(st.integers(min_value=0, max_value=len(corpus) // 3),
                                min_size=len(corpus), max_size=len(corpus)))
    index = BM25Index(corpus, variant, 1.2, 0.75, groups=groups)
    index.DENSE_SHARE = dense_share
    assert index.top(query, k) == _full_sort_collapsed(index, query, k, groups)


def test_groups_do_not_change_scores():
    corpus = [["a", "b"], ["a"], ["b", "c"], ["a", "c"]]
    assert np.array_equal(BM25Index(corpus, groups=[0, 0, 1, 1]).scores(["a", "c"]), BM25Index(corpus).scores(["a", "c"]))


def test_group_keeps_its_earlier_passage_on_a_tie():
    corpus = [["x"], ["a"], ["a"], ["b"], ["a"], ["y"], ["z"], ["w"]]
    assert [i for i, _ in BM25Index(corpus, groups=[0, 1, 1, 2, 3, 4, 5, 6]).top(["a"], 5)] == [1, 4]


def test_groups_must_cover_every_passage():
    with pytest.raises(ValueError, match="groups"):
        BM25Index([["a"], ["b"], ["c"]], groups=[0, 1])
