"""Trainer callbacks that let tests see inside a training run (``--include-package
probe_callbacks`` for `allennlp train` in a subprocess; importing it registers them).
"""

import gc
import json
from pathlib import Path
from typing import Any

import torch.distributed as dist
from allennlp.data import Instance
from allennlp.training.callbacks import TrainerCallback


@TrainerCallback.register("test_seen_instances")
class SeenInstances(TrainerCallback):
    """Each worker appends the PMIDs of every batch it trains or validates on to
    ``seen_w{rank}.jsonl`` in the run folder.
    """

    def on_batch(
        self,
        trainer,
        batch_inputs: list[dict[str, Any]],
        batch_outputs: list[dict[str, Any]],
        batch_metrics: dict[str, Any],
        epoch: int,
        batch_number: int,
        is_training: bool,
        is_primary: bool = True,
        batch_grad_norm: float | None = None,
        **kwargs,
    ) -> None:
        rank = dist.get_rank() if dist.is_initialized() else 0
        pmids = [meta["pmid"] for batch in batch_inputs for meta in batch["metadata"]]
        record = {"epoch": epoch, "training": is_training, "pmids": pmids}
        with open(Path(self.serialization_dir) / f"seen_w{rank}.jsonl", "a") as log:
            log.write(json.dumps(record) + "\n")


@TrainerCallback.register("test_live_instances")
class LiveInstances(TrainerCallback):
    """Counts the ``Instance`` objects alive in the process when training starts (after the
    vocabulary pass) and after every batch; writes the largest count to
    ``live_instances.json`` at the end.
    """

    def __init__(self, serialization_dir: str) -> None:
        super().__init__(serialization_dir)
        self.counts: list[int] = []

    def _count(self) -> None:
        gc.collect()
        self.counts.append(sum(1 for obj in gc.get_objects() if isinstance(obj, Instance)))

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        self._count()

    def on_batch(self, trainer, *args, **kwargs) -> None:
        self._count()

    def on_end(self, trainer, metrics=None, epoch=None, is_primary: bool = True, **kwargs) -> None:
        path = Path(self.serialization_dir) / "live_instances.json"
        path.write_text(json.dumps({"max": max(self.counts), "counts": self.counts}))
