"""The multi-task config trains MQAN on fixtures of all four tasks and reports each task's
metric and the decaScore (the sum of the headline metrics, in percent)."""

import json

import pytest
from test_configs import FIXTURE_OVERRIDES, TINY_MODEL, train_config

HEADLINES = {"mesh_indexing": "MiF", "squad": "nF1", "nli": "EM", "cnn_dailymail": "avg"}


@pytest.fixture(scope="module")
def decanlp_run(tmp_path_factory):
    overrides = {
        **FIXTURE_OVERRIDES["decanlp_mqan.jsonnet"],
        **TINY_MODEL,
        "data_loader.scheduler.batch_size": 4,
        "data_loader.scheduler.first_task_batches": 1,
        "trainer.num_epochs": 2,
        "trainer.callbacks": [],
    }
    return train_config(
        "decanlp_mqan.jsonnet", tmp_path_factory.mktemp("decanlp") / "run", overrides
    )


def test_every_task_reports_its_metric_and_deca_score_is_their_sum(decanlp_run):
    metrics = json.loads((decanlp_run / "metrics.json").read_text())
    headlines = {task: metrics[f"validation_{task}_{key}"] for task, key in HEADLINES.items()}
    for value in headlines.values():
        assert 0.0 <= value <= 1.0
    assert metrics["validation_decaScore"] == pytest.approx(100 * sum(headlines.values()))
    for key in (
        "squad_EM",
        "cnn_dailymail_ROUGE-1",
        "cnn_dailymail_ROUGE-2",
        "cnn_dailymail_ROUGE-L",
    ):
        assert f"validation_{key}" in metrics


def test_multitask_predictor_answers_any_task(decanlp_run):
    from allennlp.predictors import Predictor

    predictor = Predictor.from_path(decanlp_run / "model.tar.gz", "multitask_qa")
    nli = predictor.predict_json(
        {
            "task": "nli",
            "context": "Premise: A man plays a guitar on stage.",
            "question": "Hypothesis: A man is performing music. "
            "-- entailment, neutral, or contradiction?",
        }
    )
    assert nli["task"] == "nli" and isinstance(nli["answer"], str)
    mesh_input = {
        "pmid": "1",
        "title": "Breast carcinoma in women",
        "abstractText": "Adenocarcinoma of the breast was studied.",
    }
    # MeSH builds its own question from the article (as in training): pmid, title, abstract
    mesh = predictor.predict_json({"task": "mesh_indexing", **mesh_input})
    assert mesh["answer"]["labels"], "MeSH answers stay descriptors with UIs"
    with pytest.raises(Exception, match="missing field pmid"):
        predictor.predict_json({"task": "mesh_indexing", "context": "x", "question": "y"})
    mesh_indexer = Predictor.from_path(decanlp_run / "model.tar.gz", "mesh_indexer")
    labelled = mesh_indexer.predict_json(
        {"pmid": "1", "title": "Breast carcinoma", "abstractText": "Women."}
    )
    assert labelled["pmid"] == "1" and all(label["ui"] for label in labelled["labels"])
