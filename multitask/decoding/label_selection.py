"""The final label set of a multi-label answer: the decoder's labels, checked against a
label head's probabilities, plus labels the head is sure of.

The decoder decides which labels to emit but not how sure it is of each, and greedy
decoding rarely stops at the right length. ``fused`` keeps a decoded label when the head
gives it at least ``keep_threshold`` and adds any label the head gives at least
``add_threshold``. Both are tuned on the validation split during training (the tuned
values travel in the model's weights), so the archive's stop rule is the one that scored
best on held-out data, never on the data it is evaluated on.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from allennlp.common import FromParams

from multitask.metrics import micro_prf

MODES = ("decoder", "scores", "fused")
DEFAULT_GRID = tuple(round(0.05 * i, 2) for i in range(1, 19))  # 0.05 .. 0.90


@dataclass
class SelectionRecord:
    """What tuning needs of one validation example."""

    decoded: list[str]
    scores: dict[str, float]
    gold: frozenset[str]


def choose(
    decoded: Sequence[str],
    scores: dict[str, float],
    mode: str,
    keep_threshold: float,
    add_threshold: float,
) -> list[str]:
    """Labels by descending probability (decoder order where the head has no score)."""
    if mode == "decoder" or not scores:
        return list(decoded)
    chosen = {label for label, p in scores.items() if p >= add_threshold}
    if mode == "fused":
        chosen |= {label for label in decoded if scores.get(label, 0.0) >= keep_threshold}
    if not chosen:  # every indexed article has headings: the best guess beats none
        best = max(scores, key=scores.__getitem__, default=None)
        chosen = {best} if best is not None else set(decoded[:1])
    order = {label: i for i, label in enumerate(decoded)}
    return sorted(chosen, key=lambda label: (-scores.get(label, 0.0), order.get(label, 0)))


class LabelSelection(FromParams):
    """How a multi-label task turns decoder output and head probabilities into labels.

    # Parameters

    mode : `str`, optional (default = `"fused"`)
        `decoder` (the decoded labels as they are), `scores` (every label with probability
        >= `add_threshold`) or `fused` (see the module docstring).
    keep_threshold : `float`, optional (default = `0.3`)
    add_threshold : `float`, optional (default = `0.5`)
    tune : `bool`, optional (default = `True`)
        Tune both thresholds (and, with `tune_mode`, the mode) on each validation pass
        while training.
    tune_mode : `bool`, optional (default = `True`)
        Let tuning also pick the mode among `decoder`, `scores` and `fused`.
    grid : `list[float]`, optional
        Threshold values tried.
    """

    def __init__(
        self,
        mode: str = "fused",
        keep_threshold: float = 0.3,
        add_threshold: float = 0.5,
        tune: bool = True,
        tune_mode: bool = True,
        grid: Sequence[float] = DEFAULT_GRID,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"selection mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self.keep_threshold = keep_threshold
        self.add_threshold = add_threshold
        self.tune = tune
        self.tune_mode = tune_mode
        self.grid = tuple(sorted(grid))

    def state(self) -> list[float]:
        """(mode index, keep, add): what the model stores in its weights."""
        return [float(MODES.index(self.mode)), self.keep_threshold, self.add_threshold]

    def set_state(self, values: Sequence[float]) -> None:
        self.mode = MODES[int(round(values[0]))]
        self.keep_threshold, self.add_threshold = float(values[1]), float(values[2])

    def select(self, decoded: Sequence[str], scores: dict[str, float]) -> list[str]:
        return choose(decoded, scores, self.mode, self.keep_threshold, self.add_threshold)

    def fit(self, records: Sequence[SelectionRecord]) -> float:
        """Set mode and thresholds to the best micro-F1 on ``records``; returns that F1."""
        gold = [r.gold for r in records]

        def f1(mode: str, keep: float, add: float) -> float:
            chosen = [choose(r.decoded, r.scores, mode, keep, add) for r in records]
            return micro_prf(gold, chosen)[2]

        modes = MODES if self.tune_mode else (self.mode,)
        candidates: list[tuple[float, str, float, float]] = []
        for mode in modes:
            if mode == "decoder":
                candidates.append((f1(mode, 0.0, 0.0), mode, 0.0, 1.0))
                continue
            for add in self.grid:
                keeps = [k for k in self.grid if k <= add] if mode == "fused" else [add]
                for keep in keeps:
                    candidates.append((f1(mode, keep, add), mode, keep, add))
        best = max(candidates, key=lambda row: row[0])
        self.mode, self.keep_threshold, self.add_threshold = best[1], best[2], best[3]
        return best[0]
