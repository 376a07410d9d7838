"""A weighted sum of retrievers: the union of their candidates, every member's score kept."""

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

from multitask.retrieval.base import Candidate, CandidateRetriever


@CandidateRetriever.register("ensemble")
class EnsembleRetriever(CandidateRetriever):
    """Ranks the union of the members' candidates by ``sum(weight * score)``.

    Each member is asked for ``pool`` (default ``2 * top_k``) candidates, so a label that
    one member ranks high and another just misses still gets both scores. A candidate's
    features are the members' scores (0 where a member did not propose it).

    # Parameters

    retrievers : `dict[str, CandidateRetriever]`
        Members by name (the name is the state sub-folder and the feature name).
    weights : `dict[str, float]`, optional
        Weight per member (default 1 each).
    pool_factor : `float`, optional (default = `2.0`)
    """

    def __init__(
        self,
        retrievers: dict[str, CandidateRetriever],
        weights: Optional[dict[str, float]] = None,
        pool_factor: float = 2.0,
    ) -> None:
        if not retrievers:
            raise ValueError("an ensemble needs at least one retriever")
        self.retrievers = dict(sorted(retrievers.items()))
        weights = dict(weights or {})
        unknown = set(weights) - set(self.retrievers)
        if unknown:
            raise ValueError(f"weights for unknown retrievers {sorted(unknown)}")
        self.weights = {name: float(weights.get(name, 1.0)) for name in self.retrievers}
        self.pool_factor = pool_factor
        self.feature_names = tuple(self.retrievers)

    def config(self) -> dict[str, Any]:
        return {
            "type": "ensemble",
            "retrievers": {name: r.config() for name, r in self.retrievers.items()},
            "weights": self.weights,
            "pool_factor": self.pool_factor,
        }

    def fresh(self) -> "EnsembleRetriever":
        members = {name: r.fresh() for name, r in self.retrievers.items()}
        return EnsembleRetriever(members, self.weights, self.pool_factor)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        for retriever in self.retrievers.values():
            retriever.fit(texts, label_sets)

    def retrieve(self, texts: Sequence[str], top_k: int) -> list[list[Candidate]]:
        pool = max(top_k, int(round(top_k * self.pool_factor)))
        names = list(self.retrievers)
        per_member = [self.retrievers[name].retrieve(texts, pool) for name in names]
        out = []
        for row in zip(*per_member):
            features: dict[str, list[float]] = {}
            for m, candidates in enumerate(row):
                for candidate in candidates:
                    features.setdefault(candidate.label, [0.0] * len(names))[m] = candidate.score
            scored = [
                Candidate(
                    label,
                    sum(self.weights[n] * v for n, v in zip(names, values)),
                    tuple(values),
                )
                for label, values in features.items()
            ]
            scored.sort(key=lambda c: (-c.score, c.label))
            out.append(scored[:top_k])
        return out

    def save(self, directory: Path) -> None:
        for name, retriever in self.retrievers.items():
            retriever.save(directory / name)

    def load(self, directory: Path) -> None:
        for name, retriever in self.retrievers.items():
            retriever.load(directory / name)
