"""The BM25 index: rank_bm25's scoring, computed from a sparse matrix. The only module that imports rank_bm25.

rank_bm25 defines the scores (its IDF, including Okapi's epsilon floor, and its per-term formula);
we let it build the statistics, then precompute each term's contribution to each passage into a
sparse term-by-passage matrix, so scoring a question is a sum of a few matrix rows instead of
rank_bm25's Python walk over every passage for every term. The top k skip the rows of frequent
terms whenever those can't change the answer (MaxScore, see ``top``), so a question's cost follows
the rows it needs rather than the corpus size. ``tests/test_index.py`` checks the scores equal
``get_scores``, and the top k equal a full sort of them, on random corpora. Ties are broken by
passage order, never left to chance.
"""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus
from scipy import sparse

VARIANTS = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}


class BM25Index:
    """Term-by-passage weights for one tokenized corpus, scored exactly as rank_bm25 would."""

    DENSE_SHARE = 1 / 16  # rows read past this share of the corpus: one dense pass costs less (MedQuAD)

    def __init__(self, corpus: list[list[str]], variant: str = "okapi", k1: float = 1.5, b: float = 0.75,
                 groups: list[int] | None = None):
        """``groups`` (one number per passage, e.g. its document) asks ``top`` for one passage a group."""
        if not corpus:
            raise ValueError("cannot index an empty corpus")
        if variant not in VARIANTS:
            raise ValueError(f"unknown BM25 variant {variant!r}; choose one of {sorted(VARIANTS)}")
        self.groups = None if groups is None else [int(g) for g in groups]
        if self.groups is not None and len(self.groups) != len(corpus):
            raise ValueError("groups must give each passage a number")
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
        self.weights.sort_indices()  # each row's passages ascending: looked up by binary search
        row_lengths = np.diff(self.weights.indptr)
        self.row_max = np.zeros(len(self.vocabulary))  # a term's largest contribution to any passage
        nonempty = row_lengths > 0
        self.row_max[nonempty] = np.maximum.reduceat(self.weights.data, self.weights.indptr[:-1][nonempty])
        self.plus_delta = model.delta if variant == "plus" else 0.0

    def _query_counts(self, query: list[str]) -> dict[int, int]:
        """Each known query term's row number and how often the query repeats it."""
        counts: dict[int, int] = {}
        for term in query:
            t = self.vocabulary.get(term)
            if t is not None:
                counts[t] = counts.get(t, 0) + 1
        return counts

    def _order(self, counts: dict[int, int]) -> list[int]:
        """The order every score is summed in: strongest term first (by the most it adds to a passage)."""
        return sorted(counts, key=lambda t: (-float(self.row_max[t]) * counts[t], t))

    def _accumulate(self, counts: dict[int, int]) -> np.ndarray:
        """Add each query term's row (times its count) into one dense score vector: no scipy per call."""
        result = np.zeros(self.size)
        indptr, indices, data = self.weights.indptr, self.weights.indices, self.weights.data
        for t in self._order(counts):
            lo, hi = indptr[t], indptr[t + 1]
            result[indices[lo:hi]] += data[lo:hi] * counts[t]  # a row names each passage once: += is exact
        if self.plus_delta:
            result += sum(float(self.idf[t]) * times for t, times in counts.items()) * self.plus_delta
        return result

    def scores(self, query: list[str]) -> np.ndarray:
        """One score per passage, equal to rank_bm25's ``get_scores(query)``."""
        return self._accumulate(self._query_counts(query))

    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The k best (passage index, score) pairs with a positive score; ties go to the earlier passage.

        With groups, only each group's best passage counts: the first k groups met in the passage
        ranking are the k best groups, and the first passage met of each is its best, so a longer
        prefix of the ranking is asked for until it holds k groups (or every positive passage).
        """
        if self.groups is None or k <= 0:
            return self._top_passages(query, k)
        wanted = 3 * k
        while True:  # ends: past the corpus size fewer than ``wanted`` come back
            ranked = self._top_passages(query, wanted)
            kept, seen = [], set()
            for i, score in ranked:
                if self.groups[i] not in seen:
                    seen.add(self.groups[i])
                    kept.append((i, score))
            if len(kept) >= k or len(ranked) < wanted:
                return kept[:k]
            wanted *= 4

    def _top_passages(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The k best passages, groups aside.

        Exact, but the weakest terms are not scanned when they can't matter (MaxScore). Rows are added
        strongest term first, the order ``scores`` sums in too. A passage's sum so far is a lower bound
        on its score, so the k-th best sum within one row read is a floor under the k-th best score.
        Once the terms left could add less than the floor, no passage only they contain can make the
        cut; the passages within reach of the floor get the rest looked up in the same order, so every
        score, and so every tie, comes out bit for bit as ``scores`` gives it.
        """
        if k <= 0:
            return []
        counts = self._query_counts(query)
        if not counts:
            return []
        order = self._order(counts)
        if self.plus_delta:  # BM25+ gives every passage a score: nothing to prune
            return self._best(np.arange(self.size), self._accumulate(counts), k)
        indptr, indices, data = self.weights.indptr, self.weights.indices, self.weights.data
        impact = [float(self.row_max[t]) * counts[t] for t in order]
        left, floor, read = sum(impact), 0.0, 0
        partial = None  # dense sums, made only once a second row is read (a third of questions need one)
        rows: list[np.ndarray] = []
        for position, t in enumerate(order):
            if floor > 0 and left < floor * (1 - 1e-9):
                break  # what is left can't lift a passage only it contains to the floor
            lo, hi = indptr[t], indptr[t + 1]
            read += hi - lo
            if read > self.DENSE_SHARE * self.size:  # one dense pass is cheaper then
                return self._dense_top(counts, k)
            row, sums = indices[lo:hi], data[lo:hi] * counts[t]
            if rows:
                if partial is None:
                    partial = np.zeros(self.size)
                    partial[rows[0]] = first
                partial[row] += sums
                sums = partial[row]
            else:
                first = sums
            rows.append(row)
            left -= impact[position]
            if len(row) >= k:  # k distinct passages with at least this much: a floor
                floor = max(floor, float(np.partition(sums, len(row) - k)[len(row) - k]))
        else:
            left = 0.0
        reach = floor - left - 1e-9 * max(floor, 1.0)  # below this a passage can't reach the floor
        if partial is None:
            keep = first >= reach
            passages, scores = rows[0][keep], first[keep]
        else:  # in several rows at once: sort and keep each passage once (np.unique hashes, slower)
            touched = np.concatenate(rows)
            passages = np.sort(touched[partial[touched] >= reach])
            once = np.ones(len(passages), dtype=bool)
            np.not_equal(passages[1:], passages[:-1], out=once[1:])
            passages = passages[once]
            scores = partial[passages]
        for t in order[len(rows):]:  # the terms not scanned, looked up for the passages left
            lo, hi = indptr[t], indptr[t + 1]  # every indexed term has a non-empty row
            row = indices[lo:hi]
            if len(passages) <= len(row):  # binary search from the smaller side: both are ascending
                at = np.minimum(row.searchsorted(passages), len(row) - 1)
                found = row[at] == passages
                scores[found] += data[lo + at[found]] * counts[t]
            else:
                at = np.minimum(passages.searchsorted(row), len(passages) - 1)
                found = passages[at] == row
                scores[at[found]] += data[lo:hi][found] * counts[t]
        return self._best(passages, scores, k)

    def _dense_top(self, counts: dict[int, int], k: int) -> list[tuple[int, float]]:
        """Every row added into one vector: for questions made of frequent words only."""
        scores = self._accumulate(counts)
        passages = np.flatnonzero(scores > 0)
        return self._best(passages, scores[passages], k)

    @staticmethod
    def _best(passages: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top k of ``passages`` by (score descending, passage ascending), positive scores only."""
        keep = scores > 0
        passages, scores = passages[keep], scores[keep]
        if len(passages) > 4 * k:  # cut to the k best and every tie at the cut before sorting
            keep = scores >= np.partition(scores, len(scores) - k)[len(scores) - k]
            passages, scores = passages[keep], scores[keep]
        order = np.lexsort((passages, -scores))[:k]
        return list(zip(passages[order].tolist(), scores[order].tolist()))

    def document_frequency(self, term: str) -> int:
        t = self.vocabulary.get(term)
        return 0 if t is None else int(self.weights[t].nnz)
