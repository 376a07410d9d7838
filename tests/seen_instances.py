"""A trainer callback for tests: each worker appends the PMIDs of every batch it trains or
validates on to ``seen_w{rank}.jsonl`` in the run folder (used with ``--include-package``).
"""

import json
from pathlib import Path
from typing import Any

import torch.distributed as dist
from allennlp.training.callbacks import TrainerCallback


@TrainerCallback.register("test_seen_instances")
class SeenInstances(TrainerCallback):
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
