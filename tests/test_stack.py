"""The pinned stack works: AllenNLP 2.10.1 (installed --no-deps) on torch 2.x, plugins found."""

import json
import os
import subprocess
import sys
from pathlib import Path

from paths import MQAN_FIXTURES, PROJECT_ROOT

ALLENNLP = str(Path(sys.executable).with_name("allennlp"))


def run(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_allennlp_cli_lists_the_commands_users_run():
    result = run(ALLENNLP, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("train", "evaluate", "predict"):
        assert f"    {command} " in result.stdout


def test_pinned_versions_are_installed():
    import allennlp.version
    import torch
    import transformers

    assert allennlp.version.VERSION == "2.10.1"
    assert torch.__version__.startswith("2.14.1")
    assert transformers.__version__ == "4.46.3"


def test_plugins_resolve_components_by_name_without_include_package(tmp_path):
    # a fresh interpreter in the project root, where .allennlp_plugins lives
    code = (
        "from allennlp.common.plugins import import_plugins; import_plugins();"
        "from allennlp.models import Model; from allennlp.data import DatasetReader;"
        "from allennlp.predictors import Predictor;"
        "print(Model.by_name('mqan').__name__, DatasetReader.by_name('mesh_indexing').__name__,"
        " Predictor.by_name('mesh_indexer').__name__)"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["MQAN", "MeshIndexingReader", "MeshIndexerPredictor"]


def test_tiny_train_writes_tensorboard_events(tmp_path):
    out = tmp_path / "run"
    overrides = json.dumps({"trainer": {"num_epochs": 1, "callbacks": [{"type": "tensorboard"}]}})
    result = run(
        ALLENNLP,
        "train",
        str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"),
        "-s",
        str(out),
        "-o",
        overrides,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    events = list((out / "log").rglob("events.out.tfevents*"))
    assert events, f"no TensorBoard event files under {out / 'log'}"
    assert (out / "model.tar.gz").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert "validation_mesh_indexing_MiF" in metrics


def test_installed_versions_match_the_checked_set():
    from importlib.metadata import version

    pins = [
        line.split("#")[0].strip()
        for line in (PROJECT_ROOT / "requirements" / "stack.txt").read_text().splitlines()
    ]
    mismatches = {}
    for pin in filter(None, pins):
        name, wanted = pin.split("==")
        installed = version(name)
        if installed.split("+")[0] != wanted:
            mismatches[name] = (wanted, installed)
    assert not mismatches, f"installed versions differ from requirements/stack.txt: {mismatches}"
