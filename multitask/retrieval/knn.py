"""k nearest neighbours over TF-IDF: an article's candidates are its neighbours' headings."""

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

import numpy as np
from scipy import sparse

from multitask.retrieval.base import Candidate, CandidateRetriever, read_json, write_json
from multitask.retrieval.tfidf import TfidfFeatures


@CandidateRetriever.register("tfidf_knn")
class TfidfKnnRetriever(CandidateRetriever):
    """Scores a label by the cosine similarity (to the power ``power``) of the ``neighbours``
    most similar training texts that carry it, normalised so scores sum to one per text.

    Cheap and different from a tree of linear classifiers (it copies whole label sets of
    similar articles), so the two combine well. Memory grows with the training set: this is
    a retriever for corpora of up to about a million texts.

    # Parameters

    neighbours : `int`, optional (default = `40`)
    power : `float`, optional (default = `2.0`)
        Sharpens the weights towards the closest neighbours.
    tfidf : `dict`, optional
        Overrides of `multitask.retrieval.tfidf.DEFAULT_TFIDF`.
    chunk_size : `int`, optional (default = `512`)
        Texts scored at once (bounds the dense similarity block).
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
        self.label_sets: list[list[str]] = []

    def config(self) -> dict[str, Any]:
        return {
            "type": "tfidf_knn",
            "neighbours": self.neighbours,
            "power": self.power,
            "tfidf": self.tfidf_settings,
        }

    def fresh(self) -> "TfidfKnnRetriever":
        return TfidfKnnRetriever(self.neighbours, self.power, self.tfidf_settings, self.chunk_size)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        self.matrix = self.features.fit_transform(texts)
        self._transposed = None
        self.label_sets = [sorted(labels) for labels in label_sets]

    def retrieve(self, texts: Sequence[str], top_k: int) -> list[list[Candidate]]:
        if self.matrix is None:
            raise RuntimeError("fit or load the retriever before retrieving")
        queries = self.features.transform(texts)
        if self._transposed is None:  # once, not per call: it costs as much as a query
            self._transposed = self.matrix.T.tocsr()
        transposed = self._transposed
        k = min(self.neighbours, self.matrix.shape[0])
        out: list[list[Candidate]] = []
        for start in range(0, queries.shape[0], self.chunk_size):
            similarities = (queries[start : start + self.chunk_size] @ transposed).toarray()
            for row in similarities:
                nearest = np.argpartition(-row, k - 1)[:k]
                weights = np.clip(row[nearest], 0.0, None) ** self.power
                total = float(weights.sum()) or 1.0
                scores: dict[str, float] = {}
                for neighbour, weight in zip(nearest.tolist(), weights.tolist()):
                    for label in self.label_sets[neighbour]:
                        scores[label] = scores.get(label, 0.0) + weight / total
                ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:top_k]
                out.append([Candidate(label, s, (s,)) for label, s in ranked])
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
