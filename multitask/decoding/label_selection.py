"""The final label set of a multi-label answer: the decoder's labels, checked against a
label head's probabilities, plus labels the head is sure of.

The decoder decides which labels to emit but not how sure it is of each, and greedy
decoding rarely stops at the right length. ``fused`` keeps a decoded label when the head
gives it at least ``keep_threshold`` and adds any label the head gives at least
``add_threshold``. Both are tuned on the validation split during training
(``multitask.decoding.selection_tuning``), so the archive's stop rule is the one that
scored best on held-out data, never on the data it is evaluated on.

The selection is a module whose tuned values are buffers: registered under the model,
they are saved in and loaded from its state_dict with the weights, and nothing has to
copy them back and forth.
"""

import re
from collections.abc import Iterable, MutableMapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import torch
from allennlp.common import FromParams
from torch import nn

from multitask.metrics import micro_prf

if TYPE_CHECKING:
    from multitask.decoding.selection_tuning import SelectionRecord

MODES = ("decoder", "scores", "fused")
DEFAULT_GRID = tuple(round(0.05 * i, 2) for i in range(1, 19))  # 0.05 .. 0.90


class SelectionSettings(NamedTuple):
    """A selection's current values as plain Python (for choosing, logs and reports)."""

    mode: str
    keep_threshold: float
    add_threshold: float


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


class LabelSelection(nn.Module, FromParams):
    """How a multi-label task turns decoder output and head probabilities into labels.

    Its buffers, ``mode_index`` (into ``MODES``) and ``thresholds`` (keep, add), are the
    one copy of the values: tuning writes them, the state_dict saves and loads them.

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
    decoder_margin : `float`, optional (default = `0.005`)
        Tuning keeps the cheap path, `scores` (no decoding at prediction: 2-3 times the
        speed), unless a mode that runs the decoder beats it on validation micro-F1 by more
        than this: about the spread of the main job's validation MiF over seeds, so a mode
        is not paid for at every prediction on the strength of noise.
    """

    def __init__(
        self,
        mode: str = "fused",
        keep_threshold: float = 0.3,
        add_threshold: float = 0.5,
        tune: bool = True,
        tune_mode: bool = True,
        grid: Sequence[float] = DEFAULT_GRID,
        decoder_margin: float = 0.005,
    ) -> None:
        super().__init__()
        self.decoder_margin = decoder_margin
        self.tune = tune
        self.tune_mode = tune_mode
        self.grid = tuple(sorted(grid))
        self.register_buffer("mode_index", torch.tensor(0))
        self.register_buffer("thresholds", torch.zeros(2))
        self.set_values(mode, keep_threshold, add_threshold)

    @property
    def mode(self) -> str:
        return self.settings().mode

    @property
    def keep_threshold(self) -> float:
        return self.settings().keep_threshold

    @property
    def add_threshold(self) -> float:
        return self.settings().add_threshold

    def settings(self) -> SelectionSettings:
        # one copy from the device, however many values: it runs for every answer
        values = torch.cat((self.mode_index.view(1).to(self.thresholds), self.thresholds))
        index, keep, add = values.tolist()
        return SelectionSettings(MODES[int(index)], keep, add)

    @torch.no_grad()
    def set_values(self, mode: str, keep_threshold: float, add_threshold: float) -> None:
        if mode not in MODES:
            raise ValueError(f"selection mode must be one of {MODES}, got {mode!r}")
        self.mode_index.fill_(MODES.index(mode))
        self.thresholds.copy_(torch.tensor([keep_threshold, add_threshold]))

    def select(self, decoded: Sequence[str], scores: dict[str, float]) -> list[str]:
        return choose(decoded, scores, *self.settings())

    def fit(self, records: Sequence["SelectionRecord"]) -> float:
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
        cheap = [row for row in candidates if row[1] == "scores"]
        if cheap and best[1] != "scores":
            best_cheap = max(cheap, key=lambda row: row[0])
            if best[0] - best_cheap[0] <= self.decoder_margin:
                best = best_cheap
        self.set_values(best[1], best[2], best[3])
        return best[0]

    def extra_repr(self) -> str:
        mode, keep, add = self.settings()
        return f"mode={mode}, keep_threshold={keep:.2f}, add_threshold={add:.2f}"


def selection_key(task: str) -> str:
    """The task's name as a submodule name (no dots): its selection's place in the model."""
    return re.sub(r"\W", "_", task)


def upgrade_legacy_selection_state(
    state_dict: MutableMapping[str, torch.Tensor], prefix: str, container: str, keys: Iterable[str]
) -> None:
    """Move the selection state of an archive trained before selections were modules.

    Such a model kept each task's selection as its own buffer ``selection_<key>`` holding
    (mode index, keep, add); the selection of task ``<key>`` now lives at
    ``<container>.<key>.``. Call it from the owning model's ``_load_from_state_dict``
    (``prefix`` is the model's), before the keys are matched.
    """
    for key in keys:
        values = state_dict.pop(f"{prefix}selection_{key}", None)
        if values is not None:
            moved = f"{prefix}{container}.{key}."
            state_dict[moved + "mode_index"] = values[0].round().long()
            state_dict[moved + "thresholds"] = values[1:3].clone()
