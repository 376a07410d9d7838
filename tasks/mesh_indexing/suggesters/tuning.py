"""The one limit / threshold tuner: every suggester's scored lists become label sets the
same way, tuned on validation micro-F1 (Annif's ``optimize``, BioASQ's headline measure).

A text gets the suggestions that score at least ``threshold`` among its first ``limit``,
and always its best one (every MEDLINE citation has headings, so a best guess beats none).
Scores mean different things (omikuji's probabilities, SVM margins, kNN similarity shares,
training frequencies), so the thresholds tried are quantiles of the scores the suggester
itself gave on the tuning texts, not a fixed grid.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Optional

import numpy as np

from tasks.mesh_indexing.suggesters.base import Suggestion

#: label caps tried by default: every count up to 30, the most a MEDLINE citation usually has
DEFAULT_LIMITS: tuple[int, ...] = tuple(range(1, 31))
#: how many score quantiles are tried as thresholds
THRESHOLD_QUANTILES = 60


@dataclass(frozen=True)
class Selection:
    """How scored suggestions become a label set: at most ``limit``, each scoring at least
    ``threshold``, and never none."""

    limit: int
    threshold: float

    def apply(self, suggested: Sequence[Sequence[Suggestion]]) -> list[frozenset[str]]:
        out = []
        for suggestions in suggested:
            kept = [s.label for s in suggestions[: self.limit] if s.score >= self.threshold]
            if not kept and suggestions:
                kept = [suggestions[0].label]
            out.append(frozenset(kept))
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Tuned:
    """The tuner's answer: the selection and its micro P/R/F on the tuning texts."""

    selection: Selection
    mif: float
    mip: float
    mir: float

    def to_json(self) -> dict[str, Any]:
        return {**self.selection.to_json(), "mif": self.mif, "mip": self.mip, "mir": self.mir}


def _flatten(
    suggested: Sequence[Sequence[Suggestion]], gold: Sequence[Collection[str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank, score and hit (in gold) of every suggestion, as three arrays."""
    ranks, scores, hits = [], [], []
    for suggestions, labels in zip(suggested, gold):
        for rank, s in enumerate(suggestions):
            ranks.append(rank)
            scores.append(s.score)
            hits.append(s.label in labels)
    return np.asarray(ranks), np.asarray(scores, dtype=np.float64), np.asarray(hits, dtype=bool)


def tune_each_limit(
    suggested: Sequence[Sequence[Suggestion]],
    gold: Sequence[Collection[str]],
    limits: Sequence[int] = DEFAULT_LIMITS,
    thresholds: Optional[Sequence[float]] = None,
) -> list[Tuned]:
    """For every limit (ascending), the threshold with the best micro-F1 of ``suggested``
    against ``gold``; the higher threshold on ties. ``suggested`` should list at least
    ``max(limits)`` suggestions per text, best first."""
    if len(suggested) != len(gold):
        raise ValueError(f"{len(suggested)} suggestion lists but {len(gold)} gold sets")
    if not limits or min(limits) < 1:
        raise ValueError(f"limits must be at least 1, got {list(limits)}")
    ranks, scores, hits = _flatten(suggested, gold)
    gold_total = sum(len(labels) for labels in gold)
    if thresholds is None:
        thresholds = _quantile_thresholds(scores)
    first = ranks == 0
    out = []
    for limit in sorted(set(limits)):
        within = ranks < limit
        best: Optional[Tuned] = None
        for threshold in sorted(set(thresholds), reverse=True):
            chosen = within & ((scores >= threshold) | first)
            predicted = int(chosen.sum())
            true = int((chosen & hits).sum())
            f1 = 2 * true / (predicted + gold_total) if predicted + gold_total else 0.0
            if best is None or f1 > best.mif + 1e-12:
                best = Tuned(
                    Selection(limit, float(threshold)),
                    mif=f1,
                    mip=true / predicted if predicted else 0.0,
                    mir=true / gold_total if gold_total else 0.0,
                )
        assert best is not None
        out.append(best)
    return out


def tune(
    suggested: Sequence[Sequence[Suggestion]],
    gold: Sequence[Collection[str]],
    limits: Sequence[int] = DEFAULT_LIMITS,
    thresholds: Optional[Sequence[float]] = None,
) -> Tuned:
    """The (limit, threshold) with the best micro-F1 on ``gold`` (the validation split); the
    smaller limit, then the higher threshold on ties, since labels that do not help only
    cost precision."""
    best: Optional[Tuned] = None
    for tuned in tune_each_limit(suggested, gold, limits, thresholds):
        if best is None or tuned.mif > best.mif + 1e-12:
            best = tuned
    assert best is not None
    return best


def _quantile_thresholds(scores: np.ndarray) -> list[float]:
    if scores.size == 0:
        return [0.0]
    levels = np.linspace(0.0, 1.0, THRESHOLD_QUANTILES + 1)
    return sorted({float(v) for v in np.quantile(scores, levels)} | {float(scores.min())})
