"""Multi-task batch schedules beside AllenNLP's round-robin ones (decaNLP's training orders).

Batches are homogeneous (one task per batch), as in AllenNLP's ``homogeneous_roundrobin``.
"""

import math
from collections.abc import Iterable, Iterator
from typing import Optional, Union

from allennlp.data import Instance
from allennlp.data.data_loaders.multitask_scheduler import (
    HomogeneousRoundRobinScheduler,
    MultiTaskScheduler,
)


def _batches(instances: Iterable[Instance], size: int, drop_last: bool) -> list[list[Instance]]:
    batches: list[list[Instance]] = []
    batch: list[Instance] = []
    for instance in instances:
        batch.append(instance)
        if len(batch) == size:
            batches.append(batch)
            batch = []
    if batch and not drop_last:
        batches.append(batch)
    return batches


def _count(count: int, size: int, drop_last: bool) -> int:
    return count // size if drop_last else math.ceil(count / size)


def _batch_size_of(batch_size: Union[int, dict[str, int]], task: str) -> int:
    if isinstance(batch_size, int):
        return batch_size
    if task not in batch_size:
        raise ValueError(f"scheduler batch_size has no entry for task {task!r}: {batch_size}")
    return batch_size[task]


@MultiTaskScheduler.register("homogeneous_proportional")
class ProportionalScheduler(MultiTaskScheduler):
    """Spreads each task's batches evenly over the epoch, so that at any point every task has
    been seen in proportion to its size (round-robin instead runs the small tasks out first).
    """

    def __init__(self, batch_size: Union[int, dict[str, int]], drop_last: bool = False) -> None:
        self.batch_size = batch_size
        self.drop_last = drop_last

    def batch_instances(
        self, epoch_instances: dict[str, Iterable[Instance]]
    ) -> Iterator[list[Instance]]:
        slots: list[tuple[float, int, list[Instance]]] = []
        for order, (task, instances) in enumerate(epoch_instances.items()):
            batches = _batches(instances, _batch_size_of(self.batch_size, task), self.drop_last)
            slots.extend(((i + 0.5) / len(batches), order, b) for i, b in enumerate(batches))
        for _, _, batch in sorted(slots, key=lambda slot: slot[:2]):
            yield batch

    def count_batches(self, dataset_counts: dict[str, int]) -> int:
        return sum(
            _count(n, _batch_size_of(self.batch_size, task), self.drop_last)
            for task, n in dataset_counts.items()
        )


@MultiTaskScheduler.register("anti_curriculum")
class AntiCurriculumScheduler(MultiTaskScheduler):
    """decaNLP's anti-curriculum: ``first_task`` alone for ``first_task_batches`` batches, then
    every task through ``then`` (homogeneous round-robin by default).

    The switch happens at an epoch boundary: an epoch of the first phase ends after the first
    task's data or after the remaining first-phase batches, whichever comes first, so that
    ``count_batches`` is exact and the progress bar and schedulers stay right.
    """

    def __init__(
        self,
        batch_size: Union[int, dict[str, int]],
        first_task: str,
        first_task_batches: int,
        then: Optional[MultiTaskScheduler] = None,
        drop_last: bool = False,
    ) -> None:
        self.batch_size = batch_size
        self.first_task = first_task
        self.remaining = first_task_batches
        self.drop_last = drop_last
        self.then = then or HomogeneousRoundRobinScheduler(batch_size, drop_last)

    def _check(self, tasks: Iterable[str]) -> None:
        if self.first_task not in tasks:
            raise ValueError(
                f"anti_curriculum: first_task {self.first_task!r} is not among {sorted(tasks)}"
            )

    def batch_instances(
        self, epoch_instances: dict[str, Iterable[Instance]]
    ) -> Iterator[list[Instance]]:
        self._check(epoch_instances)
        if self.remaining <= 0:
            yield from self.then.batch_instances(epoch_instances)
            return
        size = _batch_size_of(self.batch_size, self.first_task)
        batch: list[Instance] = []
        for instance in epoch_instances[self.first_task]:
            batch.append(instance)
            if len(batch) == size:
                yield batch
                batch = []
                self.remaining -= 1
                if self.remaining == 0:
                    return
        if batch and not self.drop_last:
            self.remaining -= 1
            yield batch

    def count_batches(self, dataset_counts: dict[str, int]) -> int:
        self._check(dataset_counts)
        if self.remaining <= 0:
            return self.then.count_batches(dataset_counts)
        size = _batch_size_of(self.batch_size, self.first_task)
        return min(self.remaining, _count(dataset_counts[self.first_task], size, self.drop_last))
