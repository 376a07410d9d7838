"""TF-IDF + omikuji (Parabel): the standard strong non-neural extreme multi-label baseline.

Features: scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer` over
title + abstract with

* unigrams and bigrams (bigrams carry much of MeSH: "breast cancer", "amino acid");
* ``sublinear_tf`` (1 + log tf), so a word repeated in a long abstract does not dominate;
* ``min_df=2``: a term seen in one training article cannot generalise; on the ~12k-article
  default corpus this cuts the 1-2-gram vocabulary from ~637k terms to ~162k;
* ``max_features=100_000``: the most frequent of those; the cap drops rare bigrams and
  bounds memory and training time on larger corpora;
* ``strip_accents="unicode"`` and lower-casing; rows L2-normalised (the default), which is
  what Parabel's linear node classifiers expect.

Classifier: omikuji's Parabel configuration (balanced 2-means label tree, hinge-loss linear
classifiers) with its default hyper-parameters, 3 trees. Omikuji returns per-label scores
in [0, 1]; labels at or above a threshold are predicted, at most ``cap`` of them, and at
least the best one (every MEDLINE citation has headings). Threshold and cap are tuned on
the validation split by micro F1 (:meth:`TfidfOmikujiBaseline.tune`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from tqdm import tqdm

from multitask.baselines.common import LabelSet
from multitask.metrics import micro_prf

try:  # optional: the `baselines` extra of setup.cfg
    import omikuji
except ImportError:  # pragma: no cover - depends on the environment
    omikuji = None

OMIKUJI_MISSING = (
    "omikuji is not installed; install the baselines extra (pip install -e '.[baselines]' "
    "or pip install omikuji==0.5.2) to run tfidf_omikuji"
)

#: Threshold grid searched on validation: 0.05, 0.075, ..., 0.5.
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 + 0.025 * i, 3) for i in range(19))
#: Caps on the number of labels per article searched together with the threshold.
DEFAULT_CAPS: tuple[int, ...] = (5, 10, 15, 20, 25, 30)

Scored = list[tuple[str, float]]


def omikuji_available() -> bool:
    """Whether the optional omikuji dependency can be imported."""
    return omikuji is not None


def select(scored: Sequence[Scored], threshold: float, cap: int) -> list[LabelSet]:
    """Labels scoring >= ``threshold``, best first, at most ``cap``; the best label alone
    when none reaches the threshold. ``scored`` lists are sorted by descending score."""
    out = []
    for ranked in scored:
        kept = [label for label, value in ranked[:cap] if value >= threshold]
        if not kept and ranked:
            kept = [ranked[0][0]]
        out.append(frozenset(kept))
    return out


def write_xc_file(
    features: sparse.csr_matrix, label_ids: Sequence[Collection[int]], n_labels: int, path: str
) -> int:
    """Write omikuji's input: the Extreme Classification Repository sparse text format.

    First line ``num_examples num_features num_labels``, then one ``l1,l2 f:v f:v`` line per
    example (0-based indices). Omikuji's parser rejects a line with neither labels nor
    features, so such rows are left out; returns the number of rows written.
    """
    lines = []
    for i, labels in enumerate(label_ids):
        start, end = features.indptr[i], features.indptr[i + 1]
        feats = " ".join(
            f"{j}:{v:.6g}"
            for j, v in zip(features.indices[start:end].tolist(), features.data[start:end].tolist())
        )
        head = ",".join(str(label) for label in sorted(labels))
        if not head and not feats:
            continue
        lines.append(f"{head} {feats}" if feats else head)
    with open(path, "w", encoding="ascii") as out:
        out.write(f"{len(lines)} {features.shape[1]} {n_labels}\n")
        out.write("\n".join(lines))
        out.write("\n")
    return len(lines)


class TfidfOmikujiBaseline:
    """TF-IDF features and an omikuji Parabel forest; see the module docstring for why."""

    def __init__(
        self,
        *,
        max_features: int = 100_000,
        min_df: int = 2,
        ngram_range: tuple[int, int] = (1, 2),
        n_trees: int = 3,
        n_threads: int | None = None,
        top_k: int = max(DEFAULT_CAPS),
        beam_size: int = 10,
        threshold: float = 0.25,
        cap: int = 20,
    ) -> None:
        if omikuji is None:
            raise ImportError(OMIKUJI_MISSING)
        self.vectorizer = TfidfVectorizer(
            sublinear_tf=True,
            min_df=min_df,
            max_features=max_features,
            ngram_range=ngram_range,
            strip_accents="unicode",
            dtype=np.float32,
        )
        self.n_trees = n_trees
        self.n_threads = n_threads
        self.top_k = top_k
        self.beam_size = beam_size
        self.threshold = threshold
        self.cap = cap
        self.labels: list[str] = []
        self.model: Any = None

    def fit(
        self,
        texts: Sequence[str],
        label_sets: Sequence[Collection[str]],
        *,
        progress: bool = False,
    ) -> TfidfOmikujiBaseline:
        """Fit the vocabulary and IDF on ``texts``, then train the forest."""
        if len(texts) != len(label_sets):
            raise ValueError(f"{len(texts)} texts but {len(label_sets)} label sets")
        features = self.vectorizer.fit_transform(
            tqdm(texts, desc="tf-idf fit", unit="doc", disable=not progress)
        ).tocsr()
        self.labels = sorted({label for labels in label_sets for label in labels})
        index = {label: i for i, label in enumerate(self.labels)}
        label_ids = [[index[label] for label in labels] for labels in label_sets]
        hyper_param = omikuji.Model.default_hyper_param()
        hyper_param.n_trees = self.n_trees
        with tempfile.TemporaryDirectory(prefix="omikuji_") as tmp:
            path = os.path.join(tmp, "train.txt")
            write_xc_file(features, label_ids, len(self.labels), path)
            self.model = omikuji.Model.train_on_data(path, hyper_param, n_threads=self.n_threads)
        if self.n_threads:
            self.model.init_prediction_thread_pool(self.n_threads)
        return self

    @property
    def n_features(self) -> int:
        return len(self.vectorizer.vocabulary_)

    def predict_scores(self, texts: Iterable[str], *, progress: bool = False) -> list[Scored]:
        """The ``top_k`` best (label, score) pairs per text, best first."""
        if self.model is None:
            raise RuntimeError("fit the baseline before predicting")
        texts = list(texts)
        features = self.vectorizer.transform(
            tqdm(texts, desc="tf-idf", unit="doc", disable=not progress)
        ).tocsr()
        out: list[Scored] = []
        for i in tqdm(range(features.shape[0]), desc="omikuji", unit="doc", disable=not progress):
            start, end = features.indptr[i], features.indptr[i + 1]
            pairs = list(
                zip(features.indices[start:end].tolist(), features.data[start:end].tolist())
            )
            ranked = self.model.predict(pairs, beam_size=self.beam_size, top_k=self.top_k)
            ranked.sort(key=lambda pair: -pair[1])
            out.append([(self.labels[label], float(value)) for label, value in ranked])
        return out

    def predict(self, texts: Iterable[str], *, progress: bool = False) -> list[LabelSet]:
        """Label sets under the current (possibly tuned) threshold and cap."""
        return select(self.predict_scores(texts, progress=progress), self.threshold, self.cap)

    def tune(
        self,
        scored: Sequence[Scored],
        gold: Sequence[Collection[str]],
        thresholds: Iterable[float] = DEFAULT_THRESHOLDS,
        caps: Iterable[int] = DEFAULT_CAPS,
    ) -> tuple[float, int]:
        """Set threshold and cap to the pair with the best micro F1 on ``gold`` (the
        validation split, scored by :meth:`predict_scores`); returns that pair."""
        best = (-1.0, self.threshold, self.cap)
        for cap in sorted(caps):
            for threshold in sorted(thresholds):
                f = micro_prf(gold, select(scored, threshold, cap))[2]
                if f > best[0]:
                    best = (f, threshold, cap)
        self.threshold, self.cap = best[1], best[2]
        return self.threshold, self.cap
