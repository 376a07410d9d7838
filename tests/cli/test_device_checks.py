"""Asking for a GPU this machine lacks is one error line that names the setting to change,
before an archive is loaded or anything is written."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from allennlp.commands.train import train_model_from_file
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401 - installs the command checks
from multitask.cli.device_check import (
    NoCudaDeviceError,
    check_trainer_devices,
    missing_cuda_device,
)

ALLENNLP = str(Path(sys.executable).with_name("allennlp"))
NO_GPU = pytest.mark.skipif(
    torch.cuda.is_available(), reason="this machine has a GPU: --cuda-device 0 is valid here"
)


def run_allennlp(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",  # the stack's own deprecation warnings at import
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [ALLENNLP, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@NO_GPU
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_cuda_device_without_a_gpu_is_one_line(tiny_archive, tmp_path, command):
    result = run_allennlp(
        command,
        str(tiny_archive),
        str(MQAN_FIXTURES / "mesh_articles.json"),
        "--cuda-device",
        "0",
        "--output-file",
        str(tmp_path / "out.json"),
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: --cuda-device 0: no CUDA device is available on this machine; drop "
        "--cuda-device (or pass --cuda-device -1) to run on the CPU"
    ]
    assert result.stderr.splitlines()[-1] == errors[0]
    assert "trainer.cuda_device" not in result.stderr, "a training override is no hint here"
    assert not (tmp_path / "out.json").exists()


@NO_GPU
def test_train_on_a_missing_gpu_writes_nothing(tmp_path):
    run_dir = tmp_path / "run"
    with pytest.raises(NoCudaDeviceError) as error:
        train_model_from_file(
            str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"),
            str(run_dir),
            json.dumps({"trainer.cuda_device": 0}),
        )
    assert str(error.value) == (
        "trainer.cuda_device 0: no CUDA device is available on this machine; remove it from "
        """the config or override it with -o '{"trainer.cuda_device": -1}' to train on the """
        f"CPU (nothing was written to {run_dir})"
    )
    assert not run_dir.exists()


def test_a_device_number_past_the_last_gpu_says_how_many_there_are(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert missing_cuda_device(1) is None
    assert missing_cuda_device(-1) is None
    assert missing_cuda_device(2) == "this machine has 2 CUDA devices (numbered from 0)"


def test_distributed_devices_are_checked(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    config = {"trainer": {"num_epochs": 1}, "distributed": {"cuda_devices": [0, 1]}}
    with pytest.raises(NoCudaDeviceError) as error:
        check_trainer_devices(config, "nothing was written to run")
    assert str(error.value).startswith(
        "distributed.cuda_devices [0, 1]: no CUDA device is available on this machine; "
        "remove `distributed` from the config"
    )
    check_trainer_devices({"trainer": {"cuda_device": -1}}, "")  # the CPU is always here
