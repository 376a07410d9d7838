"""The floor: suggest the same most frequent headings for every text.

Check Tags such as Humans, Female, Male and Animals are on a large share of MEDLINE
citations, so this scores well above zero; a model that does not beat it has learnt
nothing from the text.
"""

from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)


@Suggester.register("frequency")
class FrequencySuggester(Suggester):
    """Ranks headings by the share of training texts that carry them (ties by label, so
    runs are reproducible); the score is that share. The tuned limit is the classic
    "top-k most frequent" baseline."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.texts = 0
        self.ranked: list[Suggestion] = []

    @property
    def trained(self) -> bool:
        return self.texts > 0

    def config(self) -> dict[str, Any]:
        return {"type": "frequency"}

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        check_fit_input(texts, label_sets)
        self.counts = Counter()
        for labels in label_sets:
            self.counts.update(set(labels))  # once per text
        self.texts = len(label_sets)
        self._rank()

    def _rank(self) -> None:
        order = sorted(self.counts, key=lambda label: (-self.counts[label], label))
        self.ranked = [Suggestion(label, self.counts[label] / self.texts) for label in order]

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        if not self.trained:
            raise RuntimeError("fit or load the suggester before suggesting")
        top = self.ranked[:limit]
        return [list(top) for _ in texts]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "counts.json", {"texts": self.texts, "counts": self.counts})

    def load(self, directory: Path) -> None:
        state = read_json(directory / "counts.json")
        self.texts, self.counts = int(state["texts"]), Counter(state["counts"])
        self._rank()
