"""Every config in training_configs/ builds (reader, vocabulary, model) against fixtures."""

import json
from pathlib import Path

import pytest
from allennlp.common import Params
from allennlp.data import DatasetReader, Vocabulary
from allennlp.models import Model
from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401
import tasks  # noqa: F401

CONFIGS = sorted((PROJECT_ROOT / "training_configs").glob("*.jsonnet"))
MESH_ARTICLES = str(MQAN_FIXTURES / "mesh_articles.json")

# How each config is pointed at fixtures instead of the default corpus.
FIXTURE_OVERRIDES = {
    "mesh_mqan.jsonnet": {
        "train_data_path": MESH_ARTICLES,
        "validation_data_path": MESH_ARTICLES,
        "dataset_reader.mesh_file": str(MESH_MINI),
        "dataset_reader.label_frequency_file": MESH_ARTICLES,
        "model.tasks.mesh_indexing.decoding.mesh_file": str(MESH_MINI),
        "vocabulary.min_count": {},
    },
}


def test_every_config_has_fixture_overrides():
    assert CONFIGS, "no configs found"
    assert {c.name for c in CONFIGS} <= set(FIXTURE_OVERRIDES)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_config_builds_against_fixtures(config: Path):
    params = Params.from_file(str(config), json.dumps(FIXTURE_OVERRIDES[config.name]))
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    instances = list(reader.read(params.pop("train_data_path")))
    assert instances
    vocab = Vocabulary.from_params(params.pop("vocabulary", Params({})), instances=instances)
    model = Model.from_params(vocab=vocab, params=params.pop("model"))
    assert sum(p.numel() for p in model.parameters()) > 0
    assert "tensorboard" in json.dumps(params.get("trainer").as_dict())
