"""Tuning each task's label selection on a validation pass: the records it fits on, and
their gathering across distributed workers.

Training attaches a ``SelectionTuner`` to the model (the ``tune_label_selection`` trainer
callback, and nothing else: `allennlp evaluate` on a test file must score the archive's
stored selection, not one fitted to that file). While one is attached, every validation
example the model decodes for a tuned task becomes a ``SelectionRecord``. After the pass the
callback calls ``tune``: each worker's records are gathered, every selection is fitted on
all of them, and the task's metric is rescored with the new selection, so that the epoch's
validation metrics (and with them the choice of the best epoch) are the tuned selection's.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import torch.distributed as dist
from allennlp.training.metrics import Metric

from multitask.decoding.label_selection import LabelSelection, choose

if TYPE_CHECKING:
    from multitask.models.task_spec import TaskSpec

logger = logging.getLogger(__name__)


@dataclass
class SelectionRecord:
    """What tuning needs of one validation example."""

    decoded: list[str]
    scores: dict[str, float]
    gold: frozenset[str]


class SelectionTuner:
    """Holds one validation pass's records per task and fits the tasks' selections on them.

    Only selections with ``tune`` set are tuned; ``metrics`` (task -> metric, or None) are
    rescored after tuning.
    """

    def __init__(
        self,
        selections: Mapping[str, LabelSelection],
        metrics: Optional[Mapping[str, Optional[Metric]]] = None,
    ) -> None:
        self.selections = {task: s for task, s in selections.items() if s.tune}
        self.metrics = dict(metrics or {})
        self.records: dict[str, list[SelectionRecord]] = {}

    @classmethod
    def for_tasks(cls, tasks: Mapping[str, TaskSpec]) -> SelectionTuner:
        """A tuner of every task (of a model's ``tasks``) that has a label selection."""
        selections = {
            name: spec.decoding.selection
            for name, spec in tasks.items()
            if spec.decoding.selection is not None
        }
        return cls(selections, {name: spec.metric for name, spec in tasks.items()})

    def tunes(self, task: str) -> bool:
        return task in self.selections

    def record(
        self, task: str, decoded: list[str], scores: dict[str, float], gold: Collection[str]
    ) -> None:
        self.records.setdefault(task, []).append(SelectionRecord(decoded, scores, frozenset(gold)))

    def tune(self) -> dict[str, float]:
        """Fit each selection on every worker's records of this pass, rescore the task's
        metric on this worker's (the metric reduces across workers itself), and start
        the next pass empty. Returns each tuned task's best micro-F1.

        Every worker must call it (it gathers), whether or not it has records.
        """
        if not self.selections:
            return {}
        everyone = gather_records(self.records)
        best: dict[str, float] = {}
        for task, records in everyone.items():
            selection = self.selections.get(task)
            if selection is None or not records:
                continue
            best[task] = selection.fit(records)
            settings = selection.settings()
            logger.info(
                "%s: label selection tuned on %d validation examples: mode %s, keep >= %.2f, "
                "add >= %.2f (MiF %.4f)",
                task,
                len(records),
                *settings,
                best[task],
            )
            metric = self.metrics.get(task)
            mine = self.records.get(task, [])
            if metric is not None:
                metric.reset()
                if mine:
                    metric(
                        [choose(r.decoded, r.scores, *settings) for r in mine],
                        [r.gold for r in mine],
                    )
        self.records = {}
        return best


def gather_records(
    records: dict[str, list[SelectionRecord]],
) -> dict[str, list[SelectionRecord]]:
    """Every worker's records by task, in worker order (one worker: its own)."""
    if not (dist.is_available() and dist.is_initialized()):
        return records
    gathered: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, records)
    merged: dict[str, list[SelectionRecord]] = {}
    for part in gathered:
        for task, rows in (part or {}).items():
            merged.setdefault(task, []).extend(rows)
    return merged
