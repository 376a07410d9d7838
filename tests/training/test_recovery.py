"""Crash safety end to end: SIGKILL `allennlp train` after its first checkpoint, then
`allennlp train --recover` on the same folder finishes the run from that checkpoint."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401  (registers components)
import tasks  # noqa: F401

ALLENNLP = str(Path(sys.executable).with_name("allennlp"))
EPOCHS = 6
# dotted keys merge into the config; a nested {"trainer": {...}} would replace the whole block
OVERRIDES = json.dumps({"trainer.num_epochs": EPOCHS})


def train_command(run_dir: Path, *extra: str) -> list[str]:
    config = str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet")
    return [ALLENNLP, "train", config, "-s", str(run_dir), "-o", OVERRIDES, *extra]


def checkpoint_epochs(run_dir: Path) -> list[int]:
    return sorted(
        int(re.match(r"model_state_e(\d+)_", path.name).group(1))
        for path in run_dir.glob("model_state_e*_b0.th")
    )


@pytest.mark.slow
def test_sigkill_after_the_first_checkpoint_then_recover(tmp_path):
    run_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    first = subprocess.Popen(
        train_command(run_dir),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    try:
        while not checkpoint_epochs(run_dir) and first.poll() is None:
            assert time.monotonic() < deadline, "no checkpoint within 10 minutes"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, "training ended before it could be killed"
    assert not (run_dir / "model.tar.gz").exists()
    resume_from = max(checkpoint_epochs(run_dir))  # epochs completed at the checkpoint
    assert resume_from < EPOCHS
    before = {e: (run_dir / f"metrics_epoch_{e}.json").stat().st_mtime for e in range(resume_from)}

    second = subprocess.run(
        train_command(run_dir, "--recover"),
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert second.returncode == 0, (second.stdout + second.stderr)[-4000:]
    # AllenNLP replays the data of completed epochs without training or validating on it
    validations = len(re.findall(r"gradient_descent_trainer - Validating", second.stdout))
    assert validations == EPOCHS - resume_from, "recovery must resume, not restart"
    for epoch, mtime in before.items():
        assert (run_dir / f"metrics_epoch_{epoch}.json").stat().st_mtime == mtime
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epoch"] == EPOCHS - 1
    for epoch in range(EPOCHS):
        assert (run_dir / f"metrics_epoch_{epoch}.json").exists(), epoch

    os.chdir(PROJECT_ROOT)
    archive = load_archive(str(run_dir / "model.tar.gz"))
    predictor = Predictor.from_archive(archive, "mesh_indexer")
    output = predictor.predict_json({"pmid": "1", "title": "Breast cancer", "abstractText": "x"})
    assert isinstance(output["labels"], list)
