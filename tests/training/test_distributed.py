"""Distributed training on CPU: two gloo workers (`"distributed": {"cuda_devices": [-1, -1]}`)
train a few batches of the tiny config; each reads its own shard, metrics are reduced
across both, and the archive loads.
"""

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401  (registers components)
import tasks  # noqa: F401
from multitask.metrics.multilabel_metric import MultiLabelF1

ALLENNLP = str(Path(sys.executable).with_name("allennlp"))
DATA = MQAN_FIXTURES / "mesh_articles.json"
METRICS = ("MiF", "MiP", "MiR", "EBF")


def run(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": os.pathsep.join(
            [str(PROJECT_ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    result = subprocess.run(
        args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result


@pytest.mark.slow
def test_two_cpu_workers_share_the_data_and_reduce_metrics(tmp_path):
    run_dir = tmp_path / "run"
    overrides = {  # dotted keys merge into the config's blocks
        "distributed": {"cuda_devices": [-1, -1]},
        "data_loader.batch_size": 2,
        "trainer.num_epochs": 2,
        "trainer.callbacks": [{"type": "test_seen_instances"}],
    }
    config = str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet")
    run(
        ALLENNLP,
        "train",
        config,
        "-s",
        str(run_dir),
        "-o",
        json.dumps(overrides),
        "--include-package",
        "probe_callbacks",
    )

    seen: dict[tuple[int, bool], dict[int, set[str]]] = defaultdict(dict)
    for rank in (0, 1):
        for line in (run_dir / f"seen_w{rank}.jsonl").read_text().splitlines():
            record = json.loads(line)
            key = (record["epoch"], record["training"])
            seen[key].setdefault(rank, set()).update(record["pmids"])
    all_pmids = {article["pmid"] for article in json.loads(DATA.read_text())["articles"]}
    assert set(seen) == {(0, True), (0, False), (1, True), (1, False)}
    for key, by_rank in seen.items():
        assert set(by_rank) == {0, 1}, f"{key}: both workers must get batches"
        assert not by_rank[0] & by_rank[1], f"{key}: the workers' shards overlap"
        assert by_rank[0] | by_rank[1] == all_pmids, f"{key}: some data was never read"

    # The archive (weights of the best epoch) scored by one process on the whole validation
    # file must give the metrics the two workers reported together for that epoch; one
    # worker's half alone gives different ones (checked, so the comparison means something).
    metrics = json.loads((run_dir / "metrics.json").read_text())
    evaluated = tmp_path / "evaluated.json"
    predictions = tmp_path / "predictions.jsonl"
    run(
        ALLENNLP,
        "evaluate",
        str(run_dir / "model.tar.gz"),
        str(DATA),
        "--output-file",
        str(evaluated),
        "--predictions-output-file",
        str(predictions),
        "-o",
        json.dumps({"data_loader.batch_size": 8, "data_loader.shuffle": False}),
    )
    whole = json.loads(evaluated.read_text())
    for name in METRICS:
        reported = metrics[f"best_validation_mesh_indexing_{name}"]
        assert reported == pytest.approx(whole[f"mesh_indexing_{name}"], abs=1e-6), name

    os.chdir(PROJECT_ROOT)
    archive = load_archive(str(run_dir / "model.tar.gz"))
    gold = [instance["metadata"]["gold"] for instance in archive.dataset_reader.read(str(DATA))]
    # one line per batch of the evaluation
    answers = [
        a for line in predictions.read_text().splitlines() for a in json.loads(line)["answer"]
    ]
    assert len(answers) == len(gold) == len(all_pmids)
    order = [article["pmid"] for article in json.loads(DATA.read_text())["articles"]]
    rank0 = seen[(metrics["best_epoch"], False)][0]
    half = MultiLabelF1()
    half(
        [predicted_set(a) for pmid, a in zip(order, answers) if pmid in rank0],
        [g for pmid, g in zip(order, gold) if pmid in rank0],
    )
    half_metrics = half.get_metric()
    assert any(
        half_metrics[name] != pytest.approx(whole[f"mesh_indexing_{name}"]) for name in METRICS
    ), "one worker's half scores like the whole: this data cannot show the reduction"

    predictor = Predictor.from_archive(archive, "mesh_indexer")
    output = predictor.predict_json({"pmid": "1", "title": "Breast cancer", "abstractText": "x"})
    assert isinstance(output["labels"], list)


def predicted_set(answer: dict) -> set[str]:
    """What the metric compares with gold, as MeshLabelDecoding.metric_prediction makes it."""
    return {label["ui"] for label in answer["labels"]} | {
        f"invalid:{text}" for text in answer["invalid"]
    }
