"""Gradient-boosted trees fitted by scikit-learn, kept and evaluated as plain arrays.

A re-ranker travels inside model archives, which hold no pickle, and scikit-learn's
``HistGradientBoostingClassifier`` has no other format. So its trees are copied into numpy
arrays (split feature, threshold, children, leaf value) that ``np.savez`` stores safely, and
a vectorized walk over those arrays predicts: the same numbers, no scikit-learn object at
load time, and no dependence on its private classes beyond the one copy at fit time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

_ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value")


@dataclass
class BoostedTrees:
    """A binary classifier: ``sigmoid(baseline + sum of one leaf value per tree)``. Each
    array is (trees, nodes), trees padded with leaves to the largest one's node count."""

    feature: np.ndarray  # int32: the feature a node splits on
    threshold: np.ndarray  # float64: x <= threshold goes left
    missing_left: np.ndarray  # bool: where a NaN goes
    left: np.ndarray  # int32
    right: np.ndarray  # int32
    leaf: np.ndarray  # bool
    value: np.ndarray  # float64: a leaf's raw score
    baseline: float
    depth: int  # the deepest leaf: the walk's step count

    @classmethod
    def fit(
        cls,
        features: np.ndarray,
        targets: np.ndarray,
        *,
        max_trees: int = 300,
        learning_rate: float = 0.1,
        max_leaves: int = 31,
        min_samples_leaf: int = 50,
        l2: float = 1.0,
        seed: int = 0,
    ) -> BoostedTrees:
        """Fit with early stopping on a 10 % hold-out of the rows (scikit-learn's own), so
        the number of trees is chosen by the data, not by hand."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        if len(np.unique(targets)) != 2:
            raise ValueError("boosted trees need both positive and negative rows to fit")
        model = HistGradientBoostingClassifier(
            max_iter=max_trees,
            learning_rate=learning_rate,
            max_leaf_nodes=max_leaves,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=20,
            random_state=seed,
        )
        model.fit(features, targets)
        return cls.from_sklearn(model)

    @classmethod
    def from_sklearn(cls, model) -> BoostedTrees:
        """Copy a fitted binary ``HistGradientBoostingClassifier``'s trees."""
        trees = [iteration[0].nodes for iteration in model._predictors]
        width = max(len(nodes) for nodes in trees)
        arrays = {name: [] for name in _ARRAYS}
        for nodes in trees:
            pad = width - len(nodes)
            for name, column, fill, dtype in (
                ("feature", "feature_idx", 0, np.int32),
                ("threshold", "num_threshold", 0.0, np.float64),
                ("missing_left", "missing_go_to_left", 1, bool),
                ("left", "left", 0, np.int32),
                ("right", "right", 0, np.int32),
                ("leaf", "is_leaf", 1, bool),  # padding: leaves nothing reaches
                ("value", "value", 0.0, np.float64),
            ):
                values = nodes[column].astype(dtype)
                arrays[name].append(np.concatenate([values, np.full(pad, fill, dtype)]))
        depth = max(int(nodes["depth"].max()) for nodes in trees)
        stacked = {name: np.stack(columns) for name, columns in arrays.items()}
        baseline = float(np.asarray(model._baseline_prediction).ravel()[0])
        return cls(**stacked, baseline=baseline, depth=depth)

    @property
    def trees(self) -> int:
        return len(self.value)

    def decision(self, features: np.ndarray) -> np.ndarray:
        """The raw score (log-odds) of each row of ``features``: scikit-learn's compiled
        walk over these arrays when this scikit-learn has it, else :meth:`walk`."""
        features = np.ascontiguousarray(features, dtype=np.float64)
        compiled = self._compiled()
        if compiled is None:
            return self.walk(features)
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

        no_categories = np.zeros((0, 8), dtype=np.uint32)
        feature_map = np.zeros(features.shape[1], dtype=np.uint32)
        threads = _openmp_effective_n_threads()
        total = np.full(len(features), self.baseline)
        for tree in compiled:
            total += tree.predict(features, no_categories, feature_map, threads)
        return total

    def _compiled(self) -> list | None:
        """scikit-learn's ``TreePredictor`` per tree, built from the arrays (its private
        API, pinned with the stack): a compiled walk, 20-50 times the numpy one's speed.
        None (then the numpy walk) when this scikit-learn lacks it."""
        if not hasattr(self, "_predictors"):
            try:
                from sklearn.ensemble._hist_gradient_boosting.common import (
                    PREDICTOR_RECORD_DTYPE,
                )
                from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
            except ImportError:
                self._predictors = None
                return None
            no_categories = np.zeros((0, 8), dtype=np.uint32)
            predictors = []
            for k in range(self.trees):
                nodes = np.zeros(self.value.shape[1], dtype=PREDICTOR_RECORD_DTYPE)
                nodes["value"] = self.value[k]
                nodes["feature_idx"] = self.feature[k]
                nodes["num_threshold"] = self.threshold[k]
                nodes["missing_go_to_left"] = self.missing_left[k]
                nodes["left"] = self.left[k]
                nodes["right"] = self.right[k]
                nodes["is_leaf"] = self.leaf[k]
                predictors.append(TreePredictor(nodes, no_categories, no_categories))
            self._predictors = predictors
        return self._predictors

    def walk(self, features: np.ndarray) -> np.ndarray:
        """The raw scores by a vectorized numpy walk of every (row, tree) pair at once."""
        features = np.asarray(features, dtype=np.float64)
        rows, width = len(features), self.value.shape[1]
        flat = {name: getattr(self, name).ravel() for name in _ARRAYS}
        # every (row, tree) pair walks at once; a node's flat index is tree * width + node
        row = np.repeat(np.arange(rows), self.trees)
        at = np.tile(np.arange(self.trees, dtype=np.int64) * width, rows)
        walking = np.flatnonzero(~flat["leaf"][at])
        for _ in range(self.depth):
            if not len(walking):
                break
            node = at[walking]
            x = features[row[walking], flat["feature"][node]]
            below = x <= flat["threshold"][node]
            go_left = np.where(np.isnan(x), flat["missing_left"][node], below)
            child = np.where(go_left, flat["left"][node], flat["right"][node])
            at[walking] = node - node % width + child
            walking = walking[~flat["leaf"][at[walking]]]
        return self.baseline + flat["value"][at].reshape(rows, self.trees).sum(axis=1)

    def probability(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(features)))

    def save(self, path: Path) -> None:
        np.savez(
            path,
            **{name: getattr(self, name) for name in _ARRAYS},
            baseline=np.float64(self.baseline),
            depth=np.int64(self.depth),
        )

    @classmethod
    def load(cls, path: Path) -> BoostedTrees:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in _ARRAYS}
            return cls(**arrays, baseline=float(saved["baseline"]), depth=int(saved["depth"]))
