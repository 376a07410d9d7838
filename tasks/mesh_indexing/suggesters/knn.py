"""k nearest neighbours over TF-IDF: an article's candidates are its neighbours' headings."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
from scipy import sparse

from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)
from tasks.mesh_indexing.suggesters.tfidf import TfidfFeatures

#: similarities computed at once (rows x training texts): 32M float32s, 128 MB, plus as
#: much again for argpartition's negated copy and twice that for its int64 indices
MAX_SIMILARITY_BLOCK = 32 * 2**20


@dataclass(frozen=True)
class LabelIndex:
    """Training texts x labels (1 where a text carries a label); columns in name order."""

    names: list[str]
    matrix: sparse.csr_matrix

    @classmethod
    def of(cls, label_sets: Sequence[Sequence[str]]) -> "LabelIndex":
        names = sorted({label for labels in label_sets for label in labels})
        column = {name: i for i, name in enumerate(names)}
        indices = [column[label] for labels in label_sets for label in labels]
        indptr = np.cumsum([0, *(len(labels) for labels in label_sets)])
        data = np.ones(len(indices))
        shape = (len(label_sets), len(names))
        return cls(names, sparse.csr_matrix((data, indices, indptr), shape=shape))


@Suggester.register("tfidf_knn")
class TfidfKnnSuggester(Suggester):
    """Scores a label by the cosine similarity (to the power ``power``) of the ``neighbours``
    most similar training texts that carry it, normalised so scores sum to one per text.

    Cheap and different from a tree of linear classifiers (it copies whole label sets of
    similar articles), so the two combine well. Memory grows with the training set: this is
    a suggester for corpora of up to about a million texts.

    # Parameters

    neighbours : `int`, optional (default = `40`)
    power : `float`, optional (default = `2.0`)
        Sharpens the weights towards the closest neighbours.
    tfidf : `dict`, optional
        Overrides of `tasks.mesh_indexing.suggesters.tfidf.DEFAULT_TFIDF`.
    chunk_size : `int`, optional (default = `512`)
        Texts scored at once (bounds the dense similarity block: fewer when the training
        set is large, so that the block stays under 32M similarities, about 0.5 GB with
        the working copies).
    """

    feature_names = ("knn",)

    def __init__(
        self,
        neighbours: int = 40,
        power: float = 2.0,
        tfidf: Optional[dict[str, Any]] = None,
        chunk_size: int = 512,
    ) -> None:
        self.neighbours = neighbours
        self.power = power
        self.tfidf_settings = dict(tfidf or {})
        self.chunk_size = chunk_size
        self.features = TfidfFeatures(**self.tfidf_settings)
        self.matrix: Optional[sparse.csr_matrix] = None
        self._transposed: Optional[sparse.csr_matrix] = None
        self._labels: Optional[LabelIndex] = None
        self.label_sets: list[list[str]] = []

    def config(self) -> dict[str, Any]:
        return {
            "type": "tfidf_knn",
            "neighbours": self.neighbours,
            "power": self.power,
            "tfidf": self.tfidf_settings,
        }

    def fresh(self) -> "TfidfKnnSuggester":
        return TfidfKnnSuggester(self.neighbours, self.power, self.tfidf_settings, self.chunk_size)

    @property
    def trained(self) -> bool:
        return self.matrix is not None

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        check_fit_input(texts, label_sets)
        self.matrix = self.features.fit_transform(texts)
        self._transposed = None
        self.label_sets = [sorted(labels) for labels in label_sets]

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        if self.matrix is None:
            raise RuntimeError("fit or load the suggester before suggesting")
        queries = self.features.transform(texts)
        if self._transposed is None:  # once, not per call: it costs as much as a query
            self._transposed = self.matrix.T.tocsr()
            self._labels = LabelIndex.of(self.label_sets)
        labels = self._labels
        k = min(self.neighbours, self.matrix.shape[0])
        out: list[list[Suggestion]] = []
        chunk = max(1, min(self.chunk_size, MAX_SIMILARITY_BLOCK // self.matrix.shape[0]))
        for start in range(0, queries.shape[0], chunk):
            similarities = (queries[start : start + chunk] @ self._transposed).toarray()
            rows = np.arange(similarities.shape[0])[:, None]
            nearest = np.argpartition(-similarities, k - 1, axis=1)[:, :k]
            weights = np.clip(similarities[rows, nearest], 0.0, None) ** self.power
            totals = weights.sum(axis=1, keepdims=True, dtype=weights.dtype)
            weights = weights.astype(np.float64) / np.where(totals > 0, totals, 1.0)
            # a label's score: the summed weights of the neighbours that carry it, for all
            # rows at once as (rows x neighbours) @ (neighbours x labels)
            neighbour_weights = sparse.csr_matrix(
                (weights.ravel(), nearest.ravel(), np.arange(0, weights.size + 1, k)),
                shape=(weights.shape[0], self.matrix.shape[0]),
            )
            scores = (neighbour_weights @ labels.matrix).tocsr()
            for row in range(scores.shape[0]):
                found = slice(scores.indptr[row], scores.indptr[row + 1])
                columns, values = scores.indices[found], scores.data[found]
                # best first; equal scores in label-name order (columns follow it)
                order = np.lexsort((columns, -values))[:limit]
                out.append(
                    [
                        Suggestion(labels.names[c], v, (v,))
                        for c, v in zip(columns[order].tolist(), values[order].tolist())
                    ]
                )
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.features.save(directory)
        sparse.save_npz(directory / "matrix.npz", self.matrix)
        write_json(directory / "label_sets.json", self.label_sets)

    def load(self, directory: Path) -> None:
        self.features.load(directory)
        self.matrix = sparse.load_npz(directory / "matrix.npz").tocsr()
        self._transposed = None
        self.label_sets = read_json(directory / "label_sets.json")
