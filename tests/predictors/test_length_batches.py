"""Batches cut by input length; answers come back in the input order."""

import json

from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor
from paths import MQAN_FIXTURES

import multitask  # noqa: F401
import tasks  # noqa: F401
from multitask.predictors.length_batches import predict_in_length_order


def test_batches_hold_similar_lengths_and_outputs_keep_the_input_order():
    items = ["ccc", "a", "eeeee", "bb", "dddd", "ffffff", "g"]
    batches = []

    def predict(batch):
        batches.append(batch)
        return [item.upper() for item in batch]

    outputs = predict_in_length_order(items, predict, batch_size=3, length=len)
    assert outputs == [item.upper() for item in items]
    assert batches == [["a", "g", "bb"], ["ccc", "dddd", "eeeee"], ["ffffff"]]


def test_mesh_predictor_batches_answer_like_single_abstracts(tiny_archive):
    predictor = Predictor.from_archive(load_archive(str(tiny_archive)), "mesh_indexer")
    predictor.model_batch_size = 3
    articles = json.loads((MQAN_FIXTURES / "mesh_articles.json").read_text())["articles"]
    inputs = [{k: a[k] for k in ("pmid", "title", "abstractText")} for a in articles]
    batched = predictor.predict_batch_json(inputs)
    assert batched == [predictor.predict_json(line) for line in inputs]
    assert [row["pmid"] for row in batched] == [a["pmid"] for a in articles]
