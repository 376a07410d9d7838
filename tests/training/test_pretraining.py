"""Domain pre-training, then fine-tuning, with the two shipped configs on fixtures:
`mesh_lm_pretrain.jsonnet` trains a tiny MQAN as a language model on abstracts;
`mesh_mqan_pretrained.jsonnet` builds the MeSH model from those weights, trains, and
archives a model that loads without the pre-training run; `ablations/mesh_ulmfit.jsonnet`
fine-tunes with ULMFiT's slanted triangular and discriminative rates."""

import json
import shutil

import pytest
import torch
from allennlp.common import Params
from allennlp.data import DatasetReader, Vocabulary
from allennlp.models import Model
from allennlp.models.archival import load_archive
from allennlp.training.learning_rate_schedulers import LearningRateScheduler
from allennlp.training.optimizers import Optimizer
from paths import PROJECT_ROOT
from test_configs import EXT_VARS, MESH_ARTICLES, MESH_WITH_CANDIDATES, TINY_MODEL, train_config

import multitask  # noqa: F401
import tasks  # noqa: F401

CONFIGS = PROJECT_ROOT / "training_configs"
PRETRAINED = "^(text_field_embedder|projection|encoder|decoder|answer_embedding|generator)\\."


def mesh_overrides(tmp_path) -> dict:
    overrides = {
        key: value
        for key, value in MESH_WITH_CANDIDATES.items()
        if not key.startswith("vocabulary")
    }
    overrides["dataset_reader.candidates.cache_dir"] = str(tmp_path / "candidates")
    return overrides


def build_main_job_vocabulary(tmp_path) -> str:
    """What `allennlp build-vocab training_configs/mesh_mqan.jsonnet` writes, on fixtures."""
    overrides = {**mesh_overrides(tmp_path), "vocabulary.min_count": {}}
    params = Params.from_file(str(CONFIGS / "mesh_mqan.jsonnet"), json.dumps(overrides), EXT_VARS)
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    vocab = Vocabulary.from_params(params.pop("vocabulary"), instances=reader.read(MESH_ARTICLES))
    directory = tmp_path / "mesh_vocabulary"
    vocab.save_to_files(str(directory))
    return str(directory)


def test_pretrain_then_fine_tune_from_the_language_model(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    vocabulary = build_main_job_vocabulary(tmp_path)
    lm_dir = train_config(
        "mesh_lm_pretrain.jsonnet",
        tmp_path / "lm",
        {
            **TINY_MODEL,
            "train_data_path": MESH_ARTICLES,
            "validation_data_path": MESH_ARTICLES,
            "dataset_reader.min_words": 5,
            "validation_dataset_reader.min_words": 5,
            "vocabulary.directory": vocabulary,
            "trainer.num_epochs": 2,
            "trainer.learning_rate_scheduler.warmup_steps": 1,
        },
    )
    metrics = json.loads((lm_dir / "metrics.json").read_text())
    assert metrics["validation_loss"] < metrics["training_loss"] * 10  # it ran and scored
    assert "validation_language_model_avg" in metrics

    fine_tune = {
        **mesh_overrides(tmp_path),
        **TINY_MODEL,
        "model.label_scorer.dim": 16,
        "vocabulary.directory": str(lm_dir / "vocabulary"),
        "model.initializer.regexes": [
            [PRETRAINED, {"type": "pretrained", "weights_file_path": str(lm_dir / "best.th")}]
        ],
        "trainer.num_epochs": 1,
    }
    # built from the config, the model starts from the language model's weights
    params = Params.from_file(
        str(CONFIGS / "mesh_mqan_pretrained.jsonnet"), json.dumps(fine_tune), EXT_VARS
    )
    vocab = Vocabulary.from_files(str(lm_dir / "vocabulary"))
    model = Model.from_params(vocab=vocab, params=params.pop("model"))
    lm_weights = torch.load(lm_dir / "best.th", map_location="cpu")
    state = model.state_dict()
    loaded = [name for name in lm_weights if name in state]
    assert any(name.startswith("encoder.") for name in loaded)
    assert any(name.startswith("generator.") for name in loaded)
    for name in loaded:
        assert torch.equal(state[name], lm_weights[name]), name

    ft_dir = train_config("mesh_mqan_pretrained.jsonnet", tmp_path / "ft", fine_tune)
    assert "validation_mesh_indexing_MiF" in json.loads((ft_dir / "metrics.json").read_text())
    shutil.rmtree(lm_dir)  # the archive must not need the pre-training run
    archive = load_archive(str(ft_dir / "model.tar.gz"))
    assert archive.model.label_scorer is not None


def test_fine_tuning_rates_fall_by_layer_group_and_every_parameter_is_grouped(tmp_path):
    overrides = {**mesh_overrides(tmp_path), **TINY_MODEL, "model.label_scorer.dim": 16}
    overrides["model.initializer.regexes"] = []
    params = Params.from_file(
        str(CONFIGS / "ablations" / "mesh_ulmfit.jsonnet"), json.dumps(overrides), EXT_VARS
    )
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    vocab = Vocabulary.from_instances(reader.read(MESH_ARTICLES))
    model = Model.from_params(vocab=vocab, params=params.pop("model"))
    trainer = params.pop("trainer")
    optimizer = Optimizer.from_params(
        model_parameters=list(model.named_parameters()), params=trainer.pop("optimizer")
    )
    assert not optimizer.param_groups[-1]["params"], "a parameter is in no layer group"
    LearningRateScheduler.from_params(
        optimizer=optimizer, num_steps_per_epoch=10, params=trainer.pop("learning_rate_scheduler")
    )
    embeddings, encoder, top = (group["lr"] for group in optimizer.param_groups[:3])
    assert encoder / top == pytest.approx(0.38)
    assert embeddings / top == pytest.approx(0.38**2)
