"""Paired bootstrap intervals for micro-F1: is one system's lead over another real, or the
luck of which articles the split holds?

Articles are resampled with replacement (the same resample for both systems: paired), and
micro-F1 is recomputed from each system's per-article counts (true positives, predicted,
gold), so a resample costs two matrix products, not a re-scoring. The interval is the
percentile interval of the differences (Efron & Tibshirani 1993; Koehn 2004 for its use in
comparing systems on one test set).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_SAMPLES = 2000
DEFAULT_SEED = 13


@dataclass(frozen=True)
class Interval:
    """A point estimate and its ``level`` percentile interval."""

    value: float
    low: float
    high: float
    level: float = 0.95

    def excludes_zero(self) -> bool:
        return self.low > 0.0 or self.high < 0.0

    def format(self, signed: bool = True) -> str:
        spec = "+.4f" if signed else ".4f"
        return f"{self.value:{spec}} [{self.low:{spec}}, {self.high:{spec}}]"

    def to_json(self) -> dict[str, float]:
        return {
            "value": round(self.value, 5),
            "low": round(self.low, 5),
            "high": round(self.high, 5),
            "level": self.level,
        }


def counts(gold: Sequence[Collection[str]], pred: Sequence[Collection[str]]) -> np.ndarray:
    """Per article: (true positives, predicted, gold), shape (N, 3)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold label sets but {len(pred)} predictions")
    return np.array(
        [(len(set(p) & set(g)), len(p), len(g)) for g, p in zip(gold, pred)], dtype=np.float64
    ).reshape(len(gold), 3)


def _micro_f1(weighted: np.ndarray) -> np.ndarray:
    """Micro-F1 from summed counts (..., 3): 2 TP / (predicted + gold)."""
    denominator = weighted[..., 1] + weighted[..., 2]
    return np.where(denominator > 0, 2.0 * weighted[..., 0] / np.maximum(denominator, 1e-12), 0.0)


def _resample_weights(n: int, samples: int, seed: int) -> np.ndarray:
    """How often each article is drawn in each resample, (samples, n)."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=samples).astype(np.float64)


def mif_difference(
    gold: Sequence[Collection[str]],
    pred: Sequence[Collection[str]],
    reference: Sequence[Collection[str]],
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> Interval:
    """MiF(pred) - MiF(reference) on these articles, with its paired bootstrap interval."""
    a, b = counts(gold, pred), counts(gold, reference)
    if len(a) == 0:
        raise ValueError("no articles to resample")
    weights = _resample_weights(len(a), samples, seed)
    differences = _micro_f1(weights @ a) - _micro_f1(weights @ b)
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(differences, [tail, 100.0 - tail])
    value = float(_micro_f1(a.sum(0)) - _micro_f1(b.sum(0)))
    return Interval(value, float(low), float(high), level)


def mif_interval(
    gold: Sequence[Collection[str]],
    pred: Sequence[Collection[str]],
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> Interval:
    """MiF itself with its bootstrap interval (how much a split of this size can say)."""
    a = counts(gold, pred)
    weights = _resample_weights(len(a), samples, seed)
    values = _micro_f1(weights @ a)
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return Interval(float(_micro_f1(a.sum(0))), float(low), float(high), level)
