"""TF-IDF features shared by the suggesters, saved as JSON + .npy instead of a pickle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from tasks.mesh_indexing.suggesters.base import read_json, write_json

#: Over title + abstract, with lower-casing and ``strip_accents="unicode"``:
#:
#: * unigrams and bigrams (bigrams carry much of MeSH: "breast cancer", "amino acid");
#: * ``sublinear_tf`` (1 + log tf), so a word repeated in a long abstract does not dominate;
#: * ``min_df=2``: a term seen in one training article cannot generalise; on the ~12k-article
#:   default corpus this cuts the 1-2-gram vocabulary from ~637k terms to ~162k;
#: * ``max_features=100_000``: the most frequent of those; the cap drops rare bigrams and
#:   bounds memory and training time on larger corpora;
#: * ``vocabulary_sample=100_000``: on a larger corpus the vocabulary and the idf weights
#:   are fitted on that many texts, evenly spaced through it, and every text is then
#:   transformed in chunks. Counting every 1-2-gram of a million abstracts before ``min_df``
#:   prunes them would hold tens of millions of strings; the 100k most frequent terms of a
#:   100k-text sample are nearly those of the whole (docs/scaling.md). Corpora up to that
#:   size are fitted whole, as before.
DEFAULT_TFIDF: dict[str, Any] = {
    "ngram_range": [1, 2],
    "min_df": 2,
    "max_features": 100_000,
    "sublinear_tf": True,
    "vocabulary_sample": 100_000,
}
#: texts transformed at once after a sampled fit
TRANSFORM_CHUNK = 10_000


class TfidfFeatures:
    """A fitted :class:`TfidfVectorizer` whose state round-trips through plain files."""

    def __init__(self, **settings: Any) -> None:
        self.settings = {**DEFAULT_TFIDF, **settings}
        sample = self.settings["vocabulary_sample"]
        if sample is not None and sample < 1:
            raise ValueError(f"vocabulary_sample must be at least 1 (or null), got {sample}")
        self.vectorizer = self._vectorizer()

    def _vectorizer(self) -> TfidfVectorizer:
        settings = dict(self.settings)
        settings.pop("vocabulary_sample")
        settings["ngram_range"] = tuple(settings["ngram_range"])
        return TfidfVectorizer(strip_accents="unicode", dtype=np.float32, **settings)

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        sample = self.settings["vocabulary_sample"]
        if sample is None or len(texts) <= sample:
            return self.vectorizer.fit_transform(texts).tocsr()
        step = len(texts) / sample
        self.vectorizer.fit([texts[int(i * step)] for i in range(sample)])
        return self.transform(texts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if len(texts) <= TRANSFORM_CHUNK:
            return self.vectorizer.transform(texts).tocsr()
        chunks = [
            self.vectorizer.transform(texts[start : start + TRANSFORM_CHUNK])
            for start in range(0, len(texts), TRANSFORM_CHUNK)
        ]
        return sparse.vstack(chunks, format="csr")

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        vocabulary = {term: int(i) for term, i in self.vectorizer.vocabulary_.items()}
        write_json(directory / "tfidf_vocabulary.json", vocabulary)
        np.save(directory / "tfidf_idf.npy", self.vectorizer.idf_.astype(np.float64))

    def load(self, directory: Path) -> None:
        self.vectorizer = self._vectorizer()
        self.vectorizer.vocabulary_ = read_json(directory / "tfidf_vocabulary.json")
        self.vectorizer.idf_ = np.load(directory / "tfidf_idf.npy", allow_pickle=False)
