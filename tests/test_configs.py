"""Every config in training_configs/ builds (reader, vocabulary, model) against fixtures."""

import json
from pathlib import Path

import pytest
from allennlp.commands.train import train_model_from_file
from allennlp.common import Params
from allennlp.data import DatasetReader, Vocabulary
from allennlp.models import Model
from paths import MESH_MINI, MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401
import tasks  # noqa: F401

CONFIGS = sorted((PROJECT_ROOT / "training_configs").rglob("*.jsonnet"))
MESH_ARTICLES = str(MQAN_FIXTURES / "mesh_articles.json")
TASK_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "tasks"
DECANLP_FIXTURE_DATA = {
    "mesh_indexing": MESH_ARTICLES,
    "squad": str(TASK_FIXTURES / "squad2_tiny.json"),
    "nli": str(TASK_FIXTURES / "snli.jsonl"),
    "cnn_dailymail": str(TASK_FIXTURES / "stories"),
}

MESH_FIXTURES = {
    "train_data_path": MESH_ARTICLES,
    "validation_data_path": MESH_ARTICLES,
    "dataset_reader.mesh_file": str(MESH_MINI),
    "dataset_reader.label_frequency_file": MESH_ARTICLES,
    "model.tasks.mesh_indexing.decoding.mesh_file": str(MESH_MINI),
    "vocabulary.min_count": {},
}
MESH_WITH_CANDIDATES = {
    **MESH_FIXTURES,
    "dataset_reader.candidates.train_file": MESH_ARTICLES,
    # eight articles: every word must count for the TF-IDF vocabularies
    "dataset_reader.candidates.retriever.base.members.omikuji.tfidf": {"min_df": 1},
    "dataset_reader.candidates.retriever.base.members.knn.tfidf": {"min_df": 1},
}

MESH_TITLE_DATA = {"mesh_indexing": MESH_ARTICLES, "title_generation": MESH_ARTICLES}
MESH_TITLE = {
    "train_data_path": MESH_TITLE_DATA,
    "validation_data_path": MESH_TITLE_DATA,
    **{
        f"{reader}.readers.mesh_indexing.{key}": value
        for reader in ("dataset_reader", "validation_dataset_reader")
        for key, value in {
            "mesh_file": str(MESH_MINI),
            "label_frequency_file": MESH_ARTICLES,
            "candidates.train_file": MESH_ARTICLES,
            "candidates.retriever.base.members.omikuji.tfidf": {"min_df": 1},
            "candidates.retriever.base.members.knn.tfidf": {"min_df": 1},
        }.items()
    },
    "model.tasks.mesh_indexing.decoding.mesh_file": str(MESH_MINI),
    "vocabulary.min_count": {},
}
NLI_SQUAD = {"nli": DECANLP_FIXTURE_DATA["nli"], "squad": DECANLP_FIXTURE_DATA["squad"]}

MESH_PRETRAINED = {
    **{k: v for k, v in MESH_WITH_CANDIDATES.items() if not k.startswith("vocabulary")},
    "model.initializer.regexes": [],
}
LM_PRETRAIN = {
    "train_data_path": MESH_ARTICLES,
    "validation_data_path": MESH_ARTICLES,
    "dataset_reader.min_words": 5,
}

# How each config is pointed at fixtures instead of the default corpus.
FIXTURE_OVERRIDES = {
    "mesh_mqan_pretrained.jsonnet": MESH_PRETRAINED,
    "mesh_ulmfit.jsonnet": MESH_PRETRAINED,
    "mesh_qanet.jsonnet": MESH_WITH_CANDIDATES,
    "mesh_hierarchy.jsonnet": {
        **MESH_WITH_CANDIDATES,
        "model.label_scorer.label_embedding.graph.mesh_file": str(MESH_MINI),
    },
    "mesh_lm_pretrain.jsonnet": LM_PRETRAIN,
    "mesh_mqan.jsonnet": MESH_WITH_CANDIDATES,
    "mesh_bce.jsonnet": MESH_FIXTURES,
    "mesh_seed.jsonnet": MESH_FIXTURES,
    "mesh_candidates.jsonnet": MESH_WITH_CANDIDATES,
    "mesh_candidates_head.jsonnet": MESH_WITH_CANDIDATES,
    "mesh_title_mqan.jsonnet": MESH_TITLE,
    "mesh_title_nli_squad_mqan.jsonnet": {
        **MESH_TITLE,
        "train_data_path": {**MESH_TITLE_DATA, **NLI_SQUAD},
        "validation_data_path": {**MESH_TITLE_DATA, **NLI_SQUAD},
    },
    "decanlp_mqan.jsonnet": {
        "train_data_path": DECANLP_FIXTURE_DATA,
        "validation_data_path": DECANLP_FIXTURE_DATA,
        "dataset_reader.readers.mesh_indexing.mesh_file": str(MESH_MINI),
        "dataset_reader.readers.mesh_indexing.label_frequency_file": MESH_ARTICLES,
        "model.tasks.mesh_indexing.decoding.mesh_file": str(MESH_MINI),
        "vocabulary.min_count": {},
    },
}
EXT_VARS = {"DECANLP_DATA": str(TASK_FIXTURES), "SHARED_DATA": str(TASK_FIXTURES)}

# A 16-dimensional MQAN: small enough to train a whole config in a test.
TINY_MODEL = {
    "model.dim": 16,
    "model.text_field_embedder.token_embedders.tokens.embedding_dim": 16,
    "model.encoder.dim": 16,
    "model.encoder.heads": 2,
    "model.decoder.dim": 16,
    "model.decoder.heads": 2,
    "model.max_decoding_steps": 12,
}


def train_config(config_name: str, serialization_dir: Path, overrides: dict) -> Path:
    """`allennlp train` of ``training_configs/<config_name>`` from the project root, with the
    test environment variables; returns the serialization directory."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in EXT_VARS.items():
            patch.setenv(name, value)
        patch.chdir(PROJECT_ROOT)
        train_model_from_file(
            str(PROJECT_ROOT / "training_configs" / config_name),
            str(serialization_dir),
            overrides=json.dumps(overrides),
        )
    return serialization_dir


def read_all(reader: DatasetReader, paths) -> list:
    """Instances of a single-task reader, or of every task of a multi-task one."""
    if isinstance(paths, dict):
        return [i for task, path in paths.items() for i in reader.readers[task].read(path)]
    return list(reader.read(paths))


def test_every_config_has_fixture_overrides():
    assert CONFIGS, "no configs found"
    assert {c.name for c in CONFIGS} <= set(FIXTURE_OVERRIDES)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_config_builds_against_fixtures(config: Path, tmp_path):
    overrides = dict(FIXTURE_OVERRIDES[config.name])
    for key in [k for k in overrides if k.endswith("candidates.train_file")]:
        overrides[key.replace(".train_file", ".cache_dir")] = str(tmp_path / "candidates")
    params = Params.from_file(str(config), json.dumps(overrides), EXT_VARS)
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    paths = params.pop("train_data_path")
    instances = read_all(reader, paths.as_dict(quiet=True) if isinstance(paths, Params) else paths)
    assert instances
    vocabulary = params.pop("vocabulary", Params({}))
    if vocabulary.get("type", None) == "from_files":
        # a vocabulary made by another run (pre-training): build the same kind here
        vocabulary = Params({})
    vocab = Vocabulary.from_params(vocabulary, instances=instances)
    model = Model.from_params(vocab=vocab, params=params.pop("model"))
    assert sum(p.numel() for p in model.parameters()) > 0
    assert "tensorboard" in json.dumps(params.get("trainer").as_dict())
