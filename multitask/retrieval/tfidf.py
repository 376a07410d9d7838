"""TF-IDF features shared by the retrievers, saved as JSON + .npy instead of a pickle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from multitask.retrieval.base import read_json, write_json

#: 1-2-grams, sublinear tf, min_df=2, 100k terms: the TF-IDF + omikuji baseline's settings
#: (see multitask/baselines/tfidf_omikuji.py for why each).
DEFAULT_TFIDF: dict[str, Any] = {
    "ngram_range": [1, 2],
    "min_df": 2,
    "max_features": 100_000,
    "sublinear_tf": True,
}


class TfidfFeatures:
    """A fitted :class:`TfidfVectorizer` whose state round-trips through plain files."""

    def __init__(self, **settings: Any) -> None:
        self.settings = {**DEFAULT_TFIDF, **settings}
        self.vectorizer = self._vectorizer()

    def _vectorizer(self) -> TfidfVectorizer:
        settings = dict(self.settings)
        settings["ngram_range"] = tuple(settings["ngram_range"])
        return TfidfVectorizer(strip_accents="unicode", dtype=np.float32, **settings)

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.vectorizer.fit_transform(texts).tocsr()

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.vectorizer.transform(texts).tocsr()

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        vocabulary = {term: int(i) for term, i in self.vectorizer.vocabulary_.items()}
        write_json(directory / "tfidf_vocabulary.json", vocabulary)
        np.save(directory / "tfidf_idf.npy", self.vectorizer.idf_.astype(np.float64))

    def load(self, directory: Path) -> None:
        self.vectorizer = self._vectorizer()
        self.vectorizer.vocabulary_ = read_json(directory / "tfidf_vocabulary.json")
        self.vectorizer.idf_ = np.load(directory / "tfidf_idf.npy", allow_pickle=False)
