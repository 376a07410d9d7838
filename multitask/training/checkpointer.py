"""A checkpointer whose files are never half-written, so `allennlp train --recover` always
finds a usable checkpoint after a crash or a kill.

AllenNLP's default checkpointer ``torch.save``s straight to the final file names: a kill
during a save leaves a truncated ``model_state_e{N}_b0.th`` that recovery picks as the latest
checkpoint and then fails to load.
"""

from __future__ import annotations

import glob
import logging
import os
import tempfile
import time
from typing import Any

import torch
from allennlp.training.checkpointer import Checkpointer
from allennlp.training.trainer import Trainer, TrainerCheckpoint

logger = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".partial"


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save`` to a temporary file in the same folder, flushed to disk, then renamed
    over ``path`` (a rename is atomic on POSIX and Windows): ``path`` holds either the old
    content or the whole new content, never a part.
    """
    folder, name = os.path.split(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMPORARY_SUFFIX, dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(obj, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


@Checkpointer.register("atomic")
class AtomicCheckpointer(Checkpointer):
    """AllenNLP's checkpointer with kill-safe writes; the same parameters and file names.

    Each state file is written under a temporary name and renamed into place, the training
    state before the model state: a checkpoint is listed only once its model state exists,
    so a listed checkpoint is always complete. On recovery, leftovers of an interrupted save
    are removed, and ``best.th`` is re-linked when the checkpoint was the best epoch so far
    (the trainer updates it just after the checkpoint, so a kill in between leaves it stale).

    # Parameters

    The same as AllenNLP's ``default`` checkpointer (``save_completed_epochs``,
    ``save_every_num_seconds``, ``save_every_num_batches``, ``keep_most_recent_by_count``,
    ``keep_most_recent_by_age``).
    """

    def save_checkpoint(self, trainer: Trainer) -> None:
        if self._serialization_dir is None:
            return
        checkpoint = trainer.get_checkpoint_state()
        if checkpoint is None:  # a non-primary worker of a non-sharded distributed model
            return
        epochs = checkpoint.trainer_state["epochs_completed"]
        batches = checkpoint.trainer_state["batches_in_epoch_completed"]
        model_path = self._model_state_path(epochs, batches)
        training_path = self._training_state_path(epochs, batches)
        if not os.path.isfile(model_path):
            atomic_torch_save(checkpoint.trainer_state, training_path)
            atomic_torch_save(checkpoint.model_state, model_path)
        self._last_save_time = time.time()
        self._last_save_num_epochs_completed = epochs
        self._last_save_num_batches_in_epoch_completed = batches
        if self._is_primary:
            self._remove_old_checkpoints()

    def _remove_old_checkpoints(self) -> None:
        by_count, by_age = self._keep_most_recent_by_count, self._keep_most_recent_by_age
        if by_count is None and by_age is None:
            return
        newest_first = sorted(self._find_all_checkpoints(), reverse=True)
        keep = set(newest_first[:by_count]) if by_count is not None else set()
        if by_age is not None:
            now = time.time()
            for point in newest_first:
                if now - os.path.getmtime(self._model_state_path(*point)) <= by_age:
                    keep.add(point)
        for point in newest_first:
            if point not in keep:
                self._remove_checkpoint(*point)

    def _remove_partial_files(self) -> None:
        for path in glob.glob(os.path.join(self._serialization_dir, f".*{TEMPORARY_SUFFIX}")):
            logger.info("Removing %s, left by an interrupted checkpoint save", path)
            os.remove(path)

    def find_latest_checkpoint(self) -> tuple[str, str] | None:
        complete = [
            point
            for point in self._find_all_checkpoints()
            if os.path.isfile(self._training_state_path(*point))
        ]
        if not complete:
            return None
        latest = max(complete)
        return self._model_state_path(*latest), self._training_state_path(*latest)

    def load_checkpoint(self) -> TrainerCheckpoint | None:
        self._remove_partial_files()
        latest = self.find_latest_checkpoint()
        checkpoint = super().load_checkpoint()
        if checkpoint is None or latest is None:
            return checkpoint
        tracker = checkpoint.trainer_state.get("metric_tracker", {})
        if self._is_primary and not self.state_is_sharded and tracker.get("is_best_so_far"):
            # The checkpointed epoch is the best so far, so best.th must hold its weights;
            # the trainer writes best.th only after the checkpoint (and names it in the next
            # one), so a kill in between would leave it stale or missing.
            best = os.path.join(self._serialization_dir, "best.th")
            temporary = best + TEMPORARY_SUFFIX
            if os.path.exists(temporary):
                os.remove(temporary)
            os.link(latest[0], temporary)
            os.replace(temporary, best)
            checkpoint.trainer_state["best_model_filename"] = best
        return checkpoint
