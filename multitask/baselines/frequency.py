"""The floor: predict the same most frequent headings for every article.

Check Tags such as Humans, Female, Male and Animals are on a large share of MEDLINE
citations, so this scores well above zero; a model that does not beat it has learnt
nothing from the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from multitask.baselines.common import LabelSet
from multitask.metrics import micro_prf


class FrequencyBaseline:
    """Ranks headings by training frequency (ties by label, so runs are reproducible)."""

    def __init__(self) -> None:
        self.ranked: list[str] = []
        self.counts: Counter[str] = Counter()

    def fit(self, label_sets: Iterable[Collection[str]]) -> FrequencyBaseline:
        """Count each heading once per article."""
        self.counts = Counter()
        for labels in label_sets:
            self.counts.update(set(labels))
        self.ranked = sorted(self.counts, key=lambda label: (-self.counts[label], label))
        return self

    def top(self, k: int) -> LabelSet:
        """The k most frequent training headings (fewer if training had fewer)."""
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        return frozenset(self.ranked[:k])

    def predict(self, n: int, k: int) -> list[LabelSet]:
        """The same top-k set for each of ``n`` articles."""
        labels = self.top(k)
        return [labels] * n

    def tune_k(self, gold: Sequence[Collection[str]], ks: Iterable[int] = range(1, 31)) -> int:
        """The k with the best micro F1 on ``gold`` (the validation split); the smallest
        such k on ties, since extra labels that do not help only cost precision."""
        best_k, best_f = -1, -1.0
        for k in sorted(ks):
            f = micro_prf(gold, self.predict(len(gold), k))[2]
            if f > best_f:
                best_k, best_f = k, f
        if best_k < 0:
            raise ValueError("no k to choose from")
        return best_k
