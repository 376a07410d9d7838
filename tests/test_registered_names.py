"""Registered names never clash with AllenNLP or allennlp-models (most AllenNLP users have it,
and AllenNLP imports it by itself): a duplicate name fails at import and breaks both.

allennlp-models pins torch<1.13, so it goes into a throwaway folder with ``--no-deps`` beside
the light packages its modules import (pinned in requirements/), and a fresh interpreter
imports both plugin sets together.
"""

import json
import os
import subprocess
import sys

import pytest
from paths import PROJECT_ROOT

PINS = PROJECT_ROOT / "requirements" / "allennlp_models_side_by_side.txt"
# pip's words for "the package index cannot be reached" (as opposed to a wrong pin)
UNREACHABLE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ConnectTimeout",
    "ReadTimeout",
    "ProxyError",
)

IMPORT_BOTH = """
import json, logging
from allennlp.common.registrable import Registrable
from allennlp.common.plugins import import_plugins

failures = []
class Failures(logging.Handler):
    def emit(self, record):
        if "could not be loaded" in record.getMessage():
            failures.append(record.getMessage())
logging.getLogger("allennlp.common.plugins").addHandler(Failures())
import_plugins()  # allennlp_models first (a default plugin), then .allennlp_plugins

by_origin = {"project": {}, "allennlp_models": {}}
for base, names in Registrable._registry.items():
    for name, (cls, _) in names.items():
        root = cls.__module__.split(".")[0]
        origin = "project" if root in ("multitask", "tasks") else root
        if origin in by_origin:
            by_origin[origin].setdefault(base.__name__, []).append(name)
print(json.dumps({"failures": failures, **by_origin}))
"""


@pytest.fixture(scope="module")
def allennlp_models_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("allennlp_models")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--retries", "1"]
    command += ["--timeout", "20", "--target", str(target), "-r", str(PINS)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        if any(word in result.stderr for word in UNREACHABLE):
            pytest.skip(f"PyPI is unreachable, cannot install allennlp-models: {PINS.name}")
        pytest.fail(f"pip install -r {PINS.name} failed:\n{result.stderr[-3000:]}")
    return target


def test_project_and_allennlp_models_import_together(allennlp_models_dir):
    env = {
        **os.environ,
        "PYTHONPATH": str(allennlp_models_dir),
        "PYTHONWARNINGS": "ignore",
        # allennlp-models' narrativeqa module calls nltk.download at import: fail it at once
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_BOTH],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["failures"] == [], "a plugin did not load"
    models, project = loaded["allennlp_models"], loaded["project"]
    assert "squad" in models["Metric"] and "squad" in models["DatasetReader"]
    assert "decanlp_squad" in project["Metric"] and "decanlp_squad" in project["DatasetReader"]
    assert {"mqan"} <= set(project["Model"]) and {"mesh_indexer"} <= set(project["Predictor"])
    for base, names in project.items():
        assert not set(names) & set(models.get(base, [])), base
