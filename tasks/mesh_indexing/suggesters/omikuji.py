"""TF-IDF + omikuji (Parabel): the standard strong non-neural extreme multi-label suggester.

Features (:mod:`.tfidf`): 1-2-grams, sublinear tf, min_df=2, 100k terms, rows L2-normalised,
which is what Parabel's linear node classifiers expect. Classifier: omikuji's Parabel
configuration (balanced 2-means label tree, hinge-loss linear classifiers), 3 trees by
default. Scores are omikuji's, in [0, 1].
"""

import os
import tempfile
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

from scipy import sparse

from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)
from tasks.mesh_indexing.suggesters.native_output import captured_native_output
from tasks.mesh_indexing.suggesters.tfidf import TfidfFeatures

try:  # optional: the `baselines` extra of setup.cfg
    import omikuji
except ImportError:  # pragma: no cover - depends on the environment
    omikuji = None

OMIKUJI_MISSING = (
    "omikuji is not installed; install the baselines extra (pip install -e '.[baselines]' "
    "or pip install omikuji==0.5.2) to use tfidf_omikuji"
)


def omikuji_available() -> bool:
    """Whether the optional omikuji dependency can be imported."""
    return omikuji is not None


def write_xc_file(
    features: sparse.csr_matrix, label_ids: Sequence[Collection[int]], n_labels: int, path: str
) -> int:
    """Write omikuji's input: the Extreme Classification Repository sparse text format.

    First line ``num_examples num_features num_labels``, then one ``l1,l2 f:v f:v`` line per
    example (0-based indices). Omikuji's parser rejects a line with neither labels nor
    features, so such rows are left out; returns the number of rows written.
    """

    def line(i: int, labels: Collection[int]) -> str:
        start, end = features.indptr[i], features.indptr[i + 1]
        feats = " ".join(
            f"{j}:{v:.6g}"
            for j, v in zip(features.indices[start:end].tolist(), features.data[start:end].tolist())
        )
        head = ",".join(str(label) for label in sorted(labels))
        return f"{head} {feats}" if feats else head

    # streamed to the file (the text of a million rows is gigabytes): rows are counted first
    # because the header comes before them
    kept = [
        i
        for i, labels in enumerate(label_ids)
        if labels or features.indptr[i + 1] > features.indptr[i]
    ]
    with open(path, "w", encoding="ascii") as out:
        out.write(f"{len(kept)} {features.shape[1]} {n_labels}\n")
        for i in kept:
            out.write(line(i, label_ids[i]))
            out.write("\n")
    return len(kept)


class _LabelIds(Sequence):
    """Label sets as column ids, converted on access (not a second copy of every set)."""

    def __init__(self, label_sets: Sequence[Collection[str]], index: dict[str, int]) -> None:
        self.label_sets, self.index = label_sets, index

    def __len__(self) -> int:
        return len(self.label_sets)

    def __getitem__(self, i):  # type: ignore[override]
        return [self.index[x] for x in self.label_sets[i]]


@Suggester.register("tfidf_omikuji")
class TfidfOmikujiSuggester(Suggester):
    """Omikuji's Parabel forest over TF-IDF features; scores are omikuji's in [0, 1].

    # Parameters

    n_trees : `int`, optional (default = `3`)
        Trees in the forest (omikuji averages them).
    beam_size : `int`, optional (default = `10`)
        Omikuji's beam over tree nodes at prediction time.
    n_threads : `int`, optional (default = `None`)
        Training and prediction threads (all cores when `None`). Omikuji predicts one text
        per call and releases the GIL while it does, so retrieval spreads texts over this
        many Python threads.
    max_sparse_density : `float`, optional (default = `0.05`)
        After fitting or loading, tree nodes whose weights are denser than this are stored
        dense (omikuji's `densify_weights`): prediction is 2.5-3.5x faster for about 180 MB
        more memory with the main job's forest, and the scores are identical (tested).
        `None` keeps every node sparse.
    tfidf : `dict`, optional
        Overrides of the TF-IDF settings in `tasks.mesh_indexing.suggesters.tfidf.DEFAULT_TFIDF`.
    """

    feature_names = ("omikuji",)

    def __init__(
        self,
        n_trees: int = 3,
        beam_size: int = 10,
        n_threads: Optional[int] = None,
        tfidf: Optional[dict[str, Any]] = None,
        max_sparse_density: Optional[float] = 0.05,
    ) -> None:
        if omikuji is None:
            raise ImportError(OMIKUJI_MISSING)
        self.n_trees = n_trees
        self.beam_size = beam_size
        self.n_threads = n_threads
        self.max_sparse_density = max_sparse_density
        self.tfidf_settings = dict(tfidf or {})
        self.features = TfidfFeatures(**self.tfidf_settings)
        self.labels: list[str] = []
        self.model: Any = None

    def config(self) -> dict[str, Any]:
        # n_threads and max_sparse_density change speed, not results: left out of the identity
        return {
            "type": "tfidf_omikuji",
            "n_trees": self.n_trees,
            "beam_size": self.beam_size,
            "tfidf": self.tfidf_settings,
        }

    def fresh(self) -> "TfidfOmikujiSuggester":
        return TfidfOmikujiSuggester(
            self.n_trees,
            self.beam_size,
            self.n_threads,
            self.tfidf_settings,
            self.max_sparse_density,
        )

    @property
    def trained(self) -> bool:
        return self.model is not None

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        check_fit_input(texts, label_sets)
        matrix = self.features.fit_transform(texts)
        self.labels = sorted({label for labels in label_sets for label in labels})
        index = {label: i for i, label in enumerate(self.labels)}
        hyper = omikuji.Model.default_hyper_param()
        hyper.n_trees = self.n_trees
        with tempfile.TemporaryDirectory(prefix="omikuji_") as tmp:
            path = os.path.join(tmp, "train.txt")
            write_xc_file(
                matrix,
                _LabelIds(label_sets, index),
                len(self.labels),
                path,
            )
            with captured_native_output("omikuji training"):
                self.model = omikuji.Model.train_on_data(path, hyper, n_threads=self.n_threads)
        self._prepare_for_prediction()

    def _prepare_for_prediction(self) -> None:
        if self.n_threads:
            self.model.init_prediction_thread_pool(self.n_threads)
        if self.max_sparse_density is not None:
            with captured_native_output("omikuji densify"):
                self.model.densify_weights(self.max_sparse_density)

    def _prediction_threads(self) -> int:
        return max(1, self.n_threads or os.cpu_count() or 1)

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        if self.model is None:
            raise RuntimeError("fit or load the suggester before suggesting")
        matrix = self.features.transform(texts)
        rows = [
            list(zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist()))
            for start, end in zip(matrix.indptr[:-1], matrix.indptr[1:])
        ]

        def predict(pairs: list[tuple[int, float]]) -> list[tuple[int, float]]:
            return self.model.predict(pairs, beam_size=self.beam_size, top_k=limit)

        threads = min(self._prediction_threads(), len(rows))
        if threads > 1:
            with ThreadPoolExecutor(threads, thread_name_prefix="omikuji") as pool:
                predictions = list(pool.map(predict, rows))
        else:
            predictions = [predict(pairs) for pairs in rows]
        out = []
        for ranked in predictions:
            ranked.sort(key=lambda pair: -pair[1])
            out.append([Suggestion(self.labels[j], float(s), (float(s),)) for j, s in ranked])
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.features.save(directory)
        write_json(directory / "labels.json", self.labels)
        with captured_native_output("omikuji save"):  # it logs to stdout
            self.model.save(str(directory / "omikuji"))

    def load(self, directory: Path) -> None:
        self.features.load(directory)
        self.labels = read_json(directory / "labels.json")
        # omikuji logs to stdout, where `allennlp predict` writes its results
        with captured_native_output("omikuji load"):
            self.model = omikuji.Model.load(str(directory / "omikuji"))
        self._prepare_for_prediction()
