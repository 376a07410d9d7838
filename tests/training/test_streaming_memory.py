"""Training streams its data: with ``data_loader.max_instances_in_memory`` the process never
holds more than that many instances, however long the training file (without it AllenNLP
keeps them all). scripts/benchmarks/bench_streaming.py shows the same as peak RSS on 10k vs 100k
abstracts; this is the cheap check of the mechanism.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import MQAN_FIXTURES, PROJECT_ROOT

from tasks.mesh_indexing.streaming_bench import synthesize_corpus

ALLENNLP = str(Path(sys.executable).with_name("allennlp"))
ARTICLES, CAP, BATCH = 200, 16, 4


def max_live_instances(tmp_path: Path, cap: int | None) -> int:
    train = tmp_path / "train.json"
    if not train.exists():
        synthesize_corpus(MQAN_FIXTURES / "mesh_articles.json", ARTICLES, train)
    run_dir = tmp_path / f"run_{cap}"
    overrides = {  # dotted keys merge into the config's blocks
        "train_data_path": str(train),
        "data_loader.batch_size": BATCH,
        "trainer.num_epochs": 1,
        "trainer.callbacks": [{"type": "test_live_instances"}],
    }
    if cap is not None:
        overrides["data_loader.max_instances_in_memory"] = cap
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join(
            [str(PROJECT_ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    config = str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet")
    command = [ALLENNLP, "train", config, "-s", str(run_dir), "-o", json.dumps(overrides)]
    result = subprocess.run(
        [*command, "--include-package", "probe_callbacks"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return json.loads((run_dir / "live_instances.json").read_text())["max"]


@pytest.mark.slow
def test_capped_loader_holds_a_bounded_number_of_instances(tmp_path):
    streamed = max_live_instances(tmp_path, CAP)
    assert streamed <= CAP + BATCH, streamed
    # the control: without the cap every training instance stays in memory
    assert max_live_instances(tmp_path, None) >= ARTICLES
