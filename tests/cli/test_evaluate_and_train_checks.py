"""`allennlp evaluate` with nothing to score, and `allennlp train` with a missing data file,
stop with one clear error and leave nothing behind."""

import json

import pytest
from allennlp.commands.evaluate import evaluate_from_archive
from allennlp.commands.train import train_model_from_file
from paths import FIXTURES, MQAN_FIXTURES

import multitask  # noqa: F401 - installs the command checks
from multitask.cli.evaluate_check import NothingToScoreError
from multitask.cli.train_check import MissingDataError, check_data_paths

TEST_SET = FIXTURES / "corpus" / "bioasq_test_documents.json"  # BioASQ test set: no headings


def test_evaluate_on_a_file_without_labels_says_there_is_nothing_to_score(tiny_archive, tmp_path):
    metrics_file = tmp_path / "metrics.json"
    with pytest.raises(NothingToScoreError) as error:
        evaluate_from_archive(
            str(tiny_archive), str(TEST_SET), metrics_output_file=str(metrics_file)
        )
    assert str(error.value).startswith(
        f"nothing to score in {TEST_SET}: no instance with a gold answer was read"
    )
    assert not metrics_file.exists(), "no empty metrics file that looks like a result"


def test_evaluate_with_labels_still_writes_its_metrics(tiny_archive, tmp_path):
    metrics_file = tmp_path / "metrics.json"
    evaluate_from_archive(
        str(tiny_archive),
        str(MQAN_FIXTURES / "mesh_articles.json"),
        metrics_output_file=str(metrics_file),
    )
    assert "mesh_indexing_MiF" in json.loads(metrics_file.read_text())


def test_train_with_a_missing_data_file_writes_nothing(tmp_path):
    run_dir = tmp_path / "run"
    overrides = {"train_data_path": str(tmp_path / "no" / "train.json")}
    with pytest.raises(MissingDataError) as error:
        train_model_from_file(
            str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"), str(run_dir), json.dumps(overrides)
        )
    message = str(error.value)
    assert message.startswith(f"no such file or folder: train_data_path {tmp_path}/no/train.json")
    assert f"nothing was written to {run_dir}" in message
    assert not run_dir.exists(), "a rerun after fixing the path must not meet 'already exists'"


def test_multi_task_paths_are_checked_by_task_and_urls_are_left_alone(tmp_path):
    from allennlp.common import Params

    existing = tmp_path / "nli.jsonl"
    existing.write_text("{}\n")
    params = Params(
        {
            "train_data_path": {
                "nli": str(existing),
                "squad": "squad/train-v1.1.json",
                "web": "https://example.org/train.json",
            },
            "validation_data_path": "glob/*.json",
        }
    )
    with pytest.raises(MissingDataError) as error:
        check_data_paths(params, tmp_path / "run")
    assert str(error.value).startswith(
        "no such file or folder: train_data_path.squad squad/train-v1.1.json ("
    )
