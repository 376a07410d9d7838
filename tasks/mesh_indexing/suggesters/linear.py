"""TF-IDF + one-vs-rest linear SVMs: the classic text-classification suggester.

One scikit-learn :class:`~sklearn.svm.LinearSVC` per heading with at least
``min_examples`` training texts (a heading seen a handful of times cannot be learnt this
way, and ten thousand classifiers would dominate the cost), over the same TF-IDF features
as the other suggesters. Scores are SVM margins, not probabilities: the tuner
(:mod:`.tuning`) picks its thresholds from the scores it sees, so that does not matter.
"""

from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC
from tqdm import tqdm

from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)
from tasks.mesh_indexing.suggesters.tfidf import TfidfFeatures


@Suggester.register("tfidf_linear")
class TfidfLinearSuggester(Suggester):
    """See the module docstring.

    # Parameters

    min_examples : `int`, optional (default = `10`)
        Headings with fewer training texts get no classifier.
    c : `float`, optional (default = `0.5`)
        The SVMs' inverse regularisation strength.
    weight_threshold : `float`, optional (default = `0.05`)
        Weights smaller than this are pruned, as omikuji does, so memory stays near the
        size of the data.
    tfidf : `dict`, optional
        Overrides of `tasks.mesh_indexing.suggesters.tfidf.DEFAULT_TFIDF`.
    """

    def __init__(
        self,
        min_examples: int = 10,
        c: float = 0.5,
        weight_threshold: float = 0.05,
        tfidf: Optional[dict[str, Any]] = None,
    ) -> None:
        self.min_examples = min_examples
        self.c = c
        self.weight_threshold = weight_threshold
        self.tfidf_settings = dict(tfidf or {})
        self.features = TfidfFeatures(**self.tfidf_settings)
        self.labels: list[str] = []
        self.weights: Optional[sparse.csc_matrix] = None  # (features, labels)
        self.bias: Optional[np.ndarray] = None

    @property
    def trained(self) -> bool:
        return self.weights is not None

    def config(self) -> dict[str, Any]:
        return {
            "type": "tfidf_linear",
            "min_examples": self.min_examples,
            "c": self.c,
            "weight_threshold": self.weight_threshold,
            "tfidf": self.tfidf_settings,
        }

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        check_fit_input(texts, label_sets)
        matrix = self.features.fit_transform(texts)
        # once: the loop below reads every set per label, and they may be decoded from disk
        label_sets = [frozenset(labels) for labels in label_sets]
        counts = Counter(label for labels in label_sets for label in set(labels))
        # a heading on every text has no negative example: an SVM cannot be fitted
        labels = sorted(
            label for label, n in counts.items() if self.min_examples <= n < len(label_sets)
        )
        if not labels:
            raise ValueError(f"no heading has {self.min_examples} training examples")
        columns = []
        bias = np.zeros(len(labels), dtype=np.float32)
        for j, label in enumerate(
            tqdm(labels, desc="one-vs-rest SVMs", unit="label", disable=None)  # not in logs
        ):
            y = np.fromiter((label in given for given in label_sets), dtype=bool)
            svm = LinearSVC(C=self.c).fit(matrix, y)
            coef = svm.coef_[0]
            kept = np.where(np.abs(coef) >= self.weight_threshold, coef, 0.0)
            columns.append(sparse.csc_matrix(kept.astype(np.float32).reshape(-1, 1)))
            bias[j] = svm.intercept_[0]
        self.labels = labels
        self.weights, self.bias = sparse.hstack(columns, format="csc"), bias

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        if self.weights is None or self.bias is None:
            raise RuntimeError("fit or load the suggester before suggesting")
        margins = (self.features.transform(list(texts)) @ self.weights).toarray() + self.bias
        k = min(limit, margins.shape[1])
        out = []
        for row in np.asarray(margins):
            best = np.argpartition(-row, k - 1)[:k]
            best = best[np.argsort(-row[best], kind="stable")]
            out.append([Suggestion(self.labels[j], float(row[j])) for j in best])
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.features.save(directory)
        write_json(directory / "labels.json", self.labels)
        sparse.save_npz(directory / "weights.npz", self.weights)
        np.save(directory / "bias.npy", self.bias)

    def load(self, directory: Path) -> None:
        self.features.load(directory)
        self.labels = read_json(directory / "labels.json")
        self.weights = sparse.load_npz(directory / "weights.npz").tocsc()
        self.bias = np.load(directory / "bias.npy", allow_pickle=False)
