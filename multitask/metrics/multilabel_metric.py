"""A running AllenNLP metric for multi-label indexing (MeSH): MiF, MiP, MiR, EBF, MaF."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

import torch.distributed as dist
from allennlp.nn.util import dist_reduce_sum, is_distributed
from allennlp.training.metrics import Metric

from multitask.metrics.multilabel import example_f1, label_counts, macro_f1_from_counts, prf


@Metric.register("multilabel_f1")
class MultiLabelF1(Metric):
    """Accumulates label-set predictions batch by batch.

    Only per-label tp/fp/fn counts and the sum of per-example F1 are kept, so memory grows
    with the number of distinct labels, not with the number of examples.  Under distributed
    training every worker's batch counts are gathered in ``__call__`` (all workers call it
    once per batch, like AllenNLP's own metrics), so ``get_metric`` is the same everywhere.
    """

    supports_distributed = True

    def __init__(self) -> None:
        self._tp: Counter[str] = Counter()
        self._fp: Counter[str] = Counter()
        self._fn: Counter[str] = Counter()
        self._example_f1_sum = 0.0
        self._examples = 0

    def __call__(  # type: ignore[override]
        self, predictions: Sequence[Collection[str]], gold: Sequence[Collection[str]]
    ) -> None:
        """Add one batch: ``predictions[i]`` and ``gold[i]`` are the label sets of example i."""
        tp, fp, fn = label_counts(gold, predictions)
        f1_sum = sum(example_f1(g, p) for g, p in zip(gold, predictions))
        examples = len(gold)
        if is_distributed():
            f1_sum = float(dist_reduce_sum(f1_sum))
            examples = int(dist_reduce_sum(examples))
            tp, fp, fn = _gather_counters(tp, fp, fn)
        self._tp.update(tp)
        self._fp.update(fp)
        self._fn.update(fn)
        self._example_f1_sum += f1_sum
        self._examples += examples

    def get_metric(self, reset: bool = False) -> dict[str, float]:
        """MiF/MiP/MiR (micro), EBF (mean example F1), MaF (macro over seen labels)."""
        precision, recall, f1 = prf(self._tp.total(), self._fp.total(), self._fn.total())
        metrics = {
            "MiF": f1,
            "MiP": precision,
            "MiR": recall,
            "EBF": self._example_f1_sum / self._examples if self._examples else 0.0,
            "MaF": macro_f1_from_counts(self._tp, self._fp, self._fn),
        }
        if reset:
            self.reset()
        return metrics

    def reset(self) -> None:
        self._tp.clear()
        self._fp.clear()
        self._fn.clear()
        self._example_f1_sum = 0.0
        self._examples = 0


def _gather_counters(*counters: Counter[str]) -> list[Counter[str]]:
    """Sum each counter over all workers (labels differ by worker, so tensors won't do)."""
    gathered: list[tuple[Counter[str], ...] | None] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, counters)
    totals: list[Counter[str]] = [Counter() for _ in counters]
    for worker in gathered:
        assert worker is not None
        for total, counter in zip(totals, worker):
            total.update(counter)
    return totals
