"""The BM25 index: rank_bm25's scoring, computed from a sparse matrix. The only module that imports rank_bm25.

rank_bm25 defines the scores (its IDF, including Okapi's epsilon floor, and its per-term formula);
we let it build the statistics, then precompute each term's contribution to each passage into a
sparse term-by-passage matrix, so scoring a question is a sum of a few matrix rows instead of
rank_bm25's Python walk over every passage for every term. ``tests/test_index.py`` checks the scores
equal ``get_scores`` on random corpora. Ties are broken by passage order, never left to chance.
"""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus
from scipy import sparse

VARIANTS = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}


class BM25Index:
    """Term-by-passage weights for one tokenized corpus, scored exactly as rank_bm25 would."""

    def __init__(self, corpus: list[list[str]], variant: str = "okapi", k1: float = 1.5, b: float = 0.75):
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        if variant not in VARIANTS:
            raise ValueError(f"unknown BM25 variant {variant!r}; choose one of {sorted(VARIANTS)}")
        self.variant = variant
        model = VARIANTS[variant](corpus, k1=k1, b=b)
        self.size = model.corpus_size
        self.vocabulary = {term: i for i, term in enumerate(sorted(model.idf))}
        self.idf = np.array([model.idf[t] for t in sorted(model.idf)], dtype=np.float64)
        doc_len = np.asarray(model.doc_len, dtype=np.float64)
        norm = 1 - b + b * doc_len / model.avgdl
        rows, cols, vals = [], [], []
        for d, freqs in enumerate(model.doc_freqs):
            for term, tf in freqs.items():
                t = self.vocabulary[term]
                if variant == "okapi":
                    w = self.idf[t] * tf * (k1 + 1) / (tf + k1 * norm[d])
                elif variant == "plus":  # the constant idf*delta every passage gets is added at query time
                    w = self.idf[t] * tf * (k1 + 1) / (k1 * norm[d] + tf)
                else:  # BM25L as released in rank_bm25 0.2.2, raw frequency factor included
                    ctd = tf / norm[d]
                    w = self.idf[t] * tf * (k1 + 1) * (ctd + model.delta) / (k1 + ctd + model.delta)
                rows.append(t)
                cols.append(d)
                vals.append(w)
        self.weights = sparse.csr_matrix((vals, (rows, cols)), shape=(len(self.vocabulary), self.size))
        self.plus_delta = model.delta if variant == "plus" else 0.0

    def scores(self, query: list[str]) -> np.ndarray:
        """One score per passage, equal to rank_bm25's ``get_scores(query)``."""
        counts: dict[int, int] = {}
        for term in query:
            t = self.vocabulary.get(term)
            if t is not None:
                counts[t] = counts.get(t, 0) + 1
        if not counts:
            return np.zeros(self.size)
        terms = np.fromiter(counts, dtype=np.int64)
        times = np.fromiter(counts.values(), dtype=np.float64)
        result = np.asarray(self.weights[terms].T @ times).ravel()
        if self.plus_delta:
            result = result + float(self.idf[terms] @ times) * self.plus_delta
        return result

    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The k best (passage index, score) pairs with a positive score; ties go to the earlier passage."""
        scores = self.scores(query)
        k = min(k, self.size)
        if k <= 0:
            return []
        if k < self.size:
            candidates = np.argpartition(-scores, k - 1)[:k]
            threshold = scores[candidates].min()
            candidates = np.flatnonzero(scores >= threshold)  # keep every tie at the cut
        else:
            candidates = np.arange(self.size)
        order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))[:k]
        return [(i, float(scores[i])) for i in order if scores[i] > 0]

    def document_frequency(self, term: str) -> int:
        t = self.vocabulary.get(term)
        return 0 if t is None else int(self.weights[t].nnz)
