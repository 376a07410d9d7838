"""TF-IDF + one-vs-rest linear SVMs: the classic text-classification baseline.

One scikit-learn :class:`~sklearn.svm.LinearSVC` per heading with at least
``min_examples`` training articles (a heading seen a handful of times cannot be learnt
this way, and ten thousand classifiers would dominate the cost); the same TF-IDF settings
as TF-IDF + omikuji. SVM margins are not probabilities, so one margin threshold and a cap
per article are tuned on validation micro F1, like the other baselines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC
from tqdm import tqdm

from multitask.baselines.common import LabelSet
from multitask.baselines.tfidf_omikuji import Scored, select
from multitask.metrics import micro_prf
from multitask.retrieval.tfidf import TfidfFeatures

#: margins searched on validation
DEFAULT_MARGINS: tuple[float, ...] = tuple(round(-0.8 + 0.1 * i, 2) for i in range(11))
DEFAULT_CAPS: tuple[int, ...] = (5, 10, 15, 20, 25)


class TfidfLinearBaseline:
    """See the module docstring."""

    def __init__(
        self,
        *,
        min_examples: int = 10,
        c: float = 0.5,
        top_k: int = 30,
        weight_threshold: float = 0.05,
    ) -> None:
        self.min_examples = min_examples
        self.weight_threshold = weight_threshold
        self.c = c
        self.top_k = top_k
        self.features = TfidfFeatures()
        self.labels: list[str] = []
        self.weights: sparse.csc_matrix | None = None  # (features, labels)
        self.bias: np.ndarray | None = None
        self.threshold = 0.0
        self.cap = 20

    def fit(
        self,
        texts: Sequence[str],
        label_sets: Sequence[Collection[str]],
        *,
        progress: bool = False,
    ) -> TfidfLinearBaseline:
        matrix = self.features.fit_transform(texts)
        counts = Counter(label for labels in label_sets for label in labels)
        self.labels = sorted(label for label, n in counts.items() if n >= self.min_examples)
        columns = []
        bias = np.zeros(len(self.labels), dtype=np.float32)
        for j, label in enumerate(
            tqdm(self.labels, desc="one-vs-rest SVMs", unit="label", disable=not progress)
        ):
            y = np.fromiter((label in labels for labels in label_sets), dtype=bool)
            svm = LinearSVC(C=self.c).fit(matrix, y)
            # small weights pruned, as omikuji does: memory stays near the size of the data
            weights = np.where(np.abs(svm.coef_[0]) >= self.weight_threshold, svm.coef_[0], 0.0)
            columns.append(sparse.csc_matrix(weights.astype(np.float32).reshape(-1, 1)))
            bias[j] = svm.intercept_[0]
        if not columns:
            raise ValueError(f"no heading has {self.min_examples} training examples")
        self.weights, self.bias = sparse.hstack(columns, format="csc"), bias
        return self

    def predict_scores(self, texts: Iterable[str]) -> list[Scored]:
        if self.weights is None or self.bias is None:
            raise RuntimeError("fit the baseline before predicting")
        margins = (self.features.transform(list(texts)) @ self.weights).toarray() + self.bias
        k = min(self.top_k, margins.shape[1])
        out = []
        for row in np.asarray(margins):
            best = np.argpartition(-row, k - 1)[:k]
            best = best[np.argsort(-row[best])]
            out.append([(self.labels[j], float(row[j])) for j in best])
        return out

    def predict(self, texts: Iterable[str]) -> list[LabelSet]:
        return select(self.predict_scores(texts), self.threshold, self.cap)

    def tune(
        self,
        scored: Sequence[Scored],
        gold: Sequence[Collection[str]],
        thresholds: Iterable[float] = DEFAULT_MARGINS,
        caps: Iterable[int] = DEFAULT_CAPS,
    ) -> tuple[float, int]:
        best = (-1.0, self.threshold, self.cap)
        for cap in caps:
            for threshold in thresholds:
                f = micro_prf(gold, select(scored, threshold, cap))[2]
                if f > best[0]:
                    best = (f, threshold, cap)
        self.threshold, self.cap = best[1], best[2]
        return self.threshold, self.cap
