"""A weighted mean of suggesters: the union of their suggestions, every member's score kept."""

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

from tasks.mesh_indexing.suggesters.base import Suggester, Suggestion, check_limit


@Suggester.register("ensemble")
class EnsembleSuggester(Suggester):
    """Ranks the union of the members' suggestions by ``sum(weight * score) / sum(weight)``.

    Each member is asked for ``pool_factor * limit`` suggestions, so a label that one
    member ranks high and another just misses still gets both scores. A suggestion's
    features are the members' scores (0 where a member did not suggest it), in member-name
    order, for a re-ranker to read.

    # Parameters

    members : `dict[str, Suggester]`
        Members by name (the name is the state sub-folder and the feature name).
    weights : `dict[str, float]`, optional
        Weight per member (default 1 each).
    pool_factor : `float`, optional (default = `2.0`)
    retrievers : `dict[str, Suggester]`, optional
        The old name of `members` (configs and archives from before the suggester interface).
    """

    def __init__(
        self,
        members: Optional[dict[str, Suggester]] = None,
        weights: Optional[dict[str, float]] = None,
        pool_factor: float = 2.0,
        retrievers: Optional[dict[str, Suggester]] = None,
    ) -> None:
        if members and retrievers:
            raise ValueError("give the ensemble's members as `members` only")
        members = members or retrievers
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = dict(sorted(members.items()))
        weights = dict(weights or {})
        unknown = set(weights) - set(self.members)
        if unknown:
            raise ValueError(f"weights for unknown members {sorted(unknown)}")
        self.weights = {name: float(weights.get(name, 1.0)) for name in self.members}
        if sum(self.weights.values()) <= 0:
            raise ValueError(f"the ensemble's weights must sum to more than 0: {self.weights}")
        self.pool_factor = pool_factor
        self.feature_names = tuple(self.members)

    @property
    def trained(self) -> bool:
        return all(member.trained for member in self.members.values())

    def config(self) -> dict[str, Any]:
        return {
            "type": "ensemble",
            "members": {name: m.config() for name, m in self.members.items()},
            "weights": self.weights,
            "pool_factor": self.pool_factor,
        }

    def fresh(self) -> "EnsembleSuggester":
        members = {name: m.fresh() for name, m in self.members.items()}
        return EnsembleSuggester(members, self.weights, self.pool_factor)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        for member in self.members.values():
            member.fit(texts, label_sets)

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        pool = max(limit, int(round(limit * self.pool_factor)))
        names = list(self.members)
        total = sum(self.weights.values())
        weights = [self.weights[name] for name in names]  # same sums, no lookup per label
        per_member = [self.members[name].suggest(texts, pool) for name in names]
        out = []
        for row in zip(*per_member):
            features: dict[str, list[float]] = {}
            for m, suggestions in enumerate(row):
                for suggestion in suggestions:
                    features.setdefault(suggestion.label, [0.0] * len(names))[m] = suggestion.score
            scored = [
                Suggestion(
                    label,
                    sum(w * v for w, v in zip(weights, values)) / total,
                    tuple(values),
                )
                for label, values in features.items()
            ]
            scored.sort(key=lambda s: (-s.score, s.label))
            out.append(scored[:limit])
        return out

    def save(self, directory: Path) -> None:
        for name, member in self.members.items():
            member.save(directory / name)

    def load(self, directory: Path) -> None:
        for name, member in self.members.items():
            member.load(directory / name)
