"""A kill during a checkpoint write leaves the previous checkpoint usable (and, as a
control, AllenNLP's default checkpointer does not)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch
from allennlp.training.checkpointer import Checkpointer
from allennlp.training.trainer import TrainerCheckpoint

from multitask.training.checkpointer import AtomicCheckpointer

# Saves checkpoint e1 normally, then starts e2 with a torch.save that writes half a file and
# hangs, as a save interrupted by SIGKILL would leave it.
CHILD = textwrap.dedent(
    """
    import sys, time, torch
    from allennlp.training.checkpointer import Checkpointer
    from allennlp.training.trainer import TrainerCheckpoint
    import multitask  # registers "atomic"

    kind, folder = sys.argv[1], sys.argv[2]

    class Trainer:
        epoch = 1
        def get_checkpoint_state(self):
            state = {"epochs_completed": self.epoch, "batches_in_epoch_completed": 0,
                     "metric_tracker": {}, "best_model_filename": None}
            return TrainerCheckpoint({"weight": torch.full((64, 64), float(self.epoch))}, state)

    checkpointer = Checkpointer.by_name(kind)(folder)
    trainer = Trainer()
    checkpointer.save_checkpoint(trainer)

    def half_written_save(obj, target):
        file = open(target, "wb") if isinstance(target, str) else target
        file.write(b"PK\\x03\\x04 half a checkpoint")
        file.flush()
        print("writing", flush=True)
        time.sleep(600)

    torch.save = half_written_save
    trainer.epoch = 2
    checkpointer.save_checkpoint(trainer)
    """
)


def kill_during_second_save(kind: str, folder: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        assert child.stdout.readline().strip() == "writing", "the child never reached the save"
        time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)


def test_kill_during_an_atomic_save_leaves_the_previous_checkpoint(tmp_path):
    kill_during_second_save("atomic", tmp_path)
    checkpointer = AtomicCheckpointer(tmp_path)
    checkpoint = checkpointer.load_checkpoint()
    assert checkpoint.trainer_state["epochs_completed"] == 1
    assert torch.equal(checkpoint.model_state["weight"], torch.full((64, 64), 1.0))
    assert not list(tmp_path.glob(".*")), "partial files are cleaned up on recovery"


def test_kill_during_a_default_save_leaves_a_broken_latest_checkpoint(tmp_path):
    # the control: why the project's configs use the atomic checkpointer
    kill_during_second_save("default", tmp_path)
    with pytest.raises(Exception):  # noqa: B017 (truncated zip or missing training state)
        Checkpointer(tmp_path).load_checkpoint()


def test_recovery_relinks_best_th_when_the_checkpoint_was_the_best_epoch(tmp_path):
    class Trainer:
        def get_checkpoint_state(self):
            state = {
                "epochs_completed": 2,
                "batches_in_epoch_completed": 0,
                "metric_tracker": {"is_best_so_far": True},
                "best_model_filename": None,  # as written before the trainer updates best.th
            }
            return TrainerCheckpoint({"weight": torch.ones(3)}, state)

    AtomicCheckpointer(tmp_path).save_checkpoint(Trainer())
    torch.save({"weight": torch.zeros(3)}, tmp_path / "best.th")  # stale: an older epoch
    checkpoint = AtomicCheckpointer(tmp_path).load_checkpoint()
    assert checkpoint.trainer_state["best_model_filename"] == str(tmp_path / "best.th")
    assert torch.equal(torch.load(tmp_path / "best.th")["weight"], torch.ones(3))


def test_old_checkpoints_are_pruned_and_incomplete_ones_are_never_latest(tmp_path):
    class Trainer:
        epoch = 0

        def get_checkpoint_state(self):
            state = {"epochs_completed": self.epoch, "batches_in_epoch_completed": 0}
            return TrainerCheckpoint({"weight": torch.tensor(float(self.epoch))}, state)

    checkpointer = AtomicCheckpointer(tmp_path, keep_most_recent_by_count=2)
    trainer = Trainer()
    for trainer.epoch in (1, 2, 3):
        checkpointer.save_checkpoint(trainer)
    assert sorted(p.name for p in tmp_path.glob("model_state_*")) == [
        "model_state_e2_b0.th",
        "model_state_e3_b0.th",
    ]
    (tmp_path / "model_state_e4_b0.th").write_bytes(b"")  # no training state beside it
    assert checkpointer.find_latest_checkpoint()[0].endswith("model_state_e3_b0.th")
