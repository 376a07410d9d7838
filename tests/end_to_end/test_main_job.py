"""The README's main job on a small slice of the real default corpus:
`allennlp train` -> `allennlp evaluate` -> `allennlp predict` -> `allennlp bioasq-submission`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "data" / "corpus"
MESH = PROJECT_ROOT / "data" / "mesh" / "descriptors.tsv"
ALLENNLP = str(Path(sys.executable).with_name("allennlp"))

if not (CORPUS / "train.json").exists() or not MESH.exists():
    if os.environ.get("CI"):
        pytest.fail(
            "the default corpus is missing in CI: `make install` must build it", pytrace=False
        )
    pytestmark = pytest.mark.skip(reason="default corpus not built (run `make install`)")

SMALL = {
    "dataset_reader.max_instances": 240,
    "model.dim": 32,
    "model.label_scorer.dim": 32,
    "model.text_field_embedder.token_embedders.tokens.embedding_dim": 32,
    "model.encoder.dim": 32,
    "model.decoder.dim": 32,
    "model.max_decoding_steps": 40,
    "trainer.num_epochs": 1,
}


def run(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, f"{args[:2]} failed:\n{result.stderr[-4000:]}"
    return result


def corpus_slice(source: Path, target: Path, articles: int) -> Path:
    """The first ``articles`` records of a BioASQ-layout corpus file, same layout."""
    lines = source.read_text().splitlines()[1 : articles + 1]
    body = ",\n".join(line.rstrip().rstrip(",") for line in lines)
    target.write_text('{"articles":[\n' + body + "\n]}\n")
    return target


@pytest.mark.slow
def test_train_evaluate_predict_and_submit_on_the_default_corpus(tmp_path):
    run_dir = tmp_path / "mesh_mqan"
    # the candidate retriever is fitted (5 folds) on the whole training file: a slice of it
    # keeps this test at seconds instead of the main job's minutes
    train = str(corpus_slice(CORPUS / "train.json", tmp_path / "train.json", 600))
    overrides = {
        **SMALL,
        "train_data_path": train,
        "dataset_reader.candidates.train_file": train,
        "dataset_reader.candidates.cache_dir": str(tmp_path / "candidates"),
        "dataset_reader.label_frequency_file": train,
    }
    run(
        ALLENNLP,
        "train",
        "training_configs/mesh_mqan.jsonnet",
        "-s",
        str(run_dir),
        "-o",
        json.dumps(overrides),
    )
    archive = run_dir / "model.tar.gz"
    assert archive.exists()
    assert list((run_dir / "log").rglob("events.out.tfevents*")), "no TensorBoard events"
    trained = json.loads((run_dir / "metrics.json").read_text())
    assert 0.0 <= trained["validation_mesh_indexing_MiF"] <= 1.0

    metrics_file = tmp_path / "test_metrics.json"
    run(
        ALLENNLP,
        "evaluate",
        str(archive),
        str(CORPUS / "test.json"),
        "--output-file",
        str(metrics_file),
        "-o",
        json.dumps({"dataset_reader.max_instances": 60}),
    )
    evaluated = json.loads(metrics_file.read_text())
    for key in ("mesh_indexing_MiF", "mesh_indexing_MiP", "mesh_indexing_MiR", "mesh_indexing_EBF"):
        assert 0.0 <= evaluated[key] <= 1.0, key

    records = json.loads(
        "["
        + ",".join(
            line.rstrip().rstrip(",")
            for line in (CORPUS / "test.json").read_text().splitlines()[1:21]
        )
        + "]"
    )
    inputs = tmp_path / "abstracts.jsonl"
    inputs.write_text(
        "".join(
            json.dumps({k: r[k] for k in ("pmid", "title", "abstractText")}) + "\n" for r in records
        )
    )
    predictions = tmp_path / "predictions.jsonl"
    run(
        ALLENNLP,
        "predict",
        str(archive),
        str(inputs),
        "--predictor",
        "mesh_indexer",
        "--output-file",
        str(predictions),
        "--silent",
        "--batch-size",
        "8",
    )
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [row["pmid"] for row in rows] == [str(r["pmid"]) for r in records]
    descriptor_uis = {line.split("\t")[0] for line in MESH.read_text().splitlines()[1:]}
    for row in rows:
        assert row["labels"] and {label["ui"] for label in row["labels"]} <= descriptor_uis

    test_set = tmp_path / "test_set.json"
    test_set.write_text(
        json.dumps(
            {
                "documents": [
                    {"pmid": r["pmid"], "title": r["title"], "abstractText": r["abstractText"]}
                    for r in records
                ]
            }
        )
    )
    submission = tmp_path / "submission.json"
    run(
        ALLENNLP,
        "bioasq-submission",
        str(archive),
        str(test_set),
        "--output",
        str(submission),
    )
    documents = json.loads(submission.read_text())["documents"]
    assert [d["pmid"] for d in documents] == [int(r["pmid"]) for r in records]
