"""The `tune_label_selection` callback tunes after each validation pass, before the trainer
reads that pass's metrics, and leaves the trainer as it found it."""

import json
import os
import re
from types import SimpleNamespace

import pytest
from allennlp.common.checks import ConfigurationError
from paths import MQAN_FIXTURES, PROJECT_ROOT

from multitask.decoding.label_selection import LabelSelection
from multitask.decoding.task_decoding import FreeTextDecoding
from multitask.metrics import MultiLabelF1
from multitask.models.task_spec import TaskSpec
from multitask.training import TuneLabelSelectionCallback

ROWS = [
    (["a", "b"], {"a": 0.8, "b": 0.4, "c": 0.3}, {"a", "b"}),
    (["a", "c"], {"a": 0.7, "b": 0.6, "c": 0.2}, {"a"}),
    (["b", "c"], {"a": 0.1, "b": 0.9, "c": 0.35}, {"b", "c"}),
]


class FakeTrainer:
    """The part of AllenNLP's trainer the callback touches."""

    def __init__(self, model) -> None:
        self.model = model
        self.metrics_read_with: list[str] = []

    def _validation_loss(self, epoch: int):
        # what the model does on a validation pass while a tuner is attached
        for decoded, scores, gold in ROWS:
            self.model.selection_tuner.record("mesh", decoded, scores, gold)
        return 0.0, None, len(ROWS)


def make_model(selection: LabelSelection) -> SimpleNamespace:
    decoding = FreeTextDecoding()
    decoding.selection = selection
    spec = TaskSpec(decoding=decoding, metric=MultiLabelF1(), headline="MiF")
    return SimpleNamespace(tasks={"mesh": spec}, selection_tuner=None)


def test_the_validation_pass_ends_with_tuning_and_the_trainer_is_restored():
    selection = LabelSelection(mode="decoder", grid=[0.1 * i for i in range(1, 10)])
    model = make_model(selection)
    trainer = FakeTrainer(model)
    callback = TuneLabelSelectionCallback(serialization_dir="unused")

    callback.on_start(trainer)
    assert model.selection_tuner is not None
    assert trainer._validation_loss(0) == (0.0, None, len(ROWS))
    # tuned as soon as the pass returns, i.e. before the trainer reads its metrics
    assert selection.mode != "decoder"
    assert model.tasks["mesh"].metric.get_metric()["MiF"] == pytest.approx(1.0)
    assert model.selection_tuner.records == {}

    callback.on_end(trainer)
    assert model.selection_tuner is None
    assert trainer._validation_loss.__func__ is FakeTrainer._validation_loss


def test_a_model_without_label_selections_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="tune_label_selection needs"):
        TuneLabelSelectionCallback("unused").on_start(FakeTrainer(SimpleNamespace()))


@pytest.mark.slow
def test_a_training_run_scores_each_epoch_and_archives_the_tuned_selection(tmp_path):
    """The best epoch's validation MiF is the tuned selection's: evaluating the archive on
    the validation file gives it again, and the archive holds that epoch's selection."""
    from allennlp.commands.train import train_model_from_file
    from allennlp.data.data_loaders import MultiProcessDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    import multitask  # noqa: F401  (registers components)
    import tasks  # noqa: F401

    os.chdir(PROJECT_ROOT)
    out = tmp_path / "run"
    overrides = {"trainer.num_epochs": 2, "dataset_reader.candidates.cache_dir": str(tmp_path)}
    data = str(MQAN_FIXTURES / "mesh_articles.json")
    train_model_from_file(
        str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet"), str(out), json.dumps(overrides)
    )

    tuned = re.findall(
        r"label selection tuned on 8 validation examples: mode (\w+), "
        r"keep >= ([\d.]+), add >= ([\d.]+)",
        (out / "out.log").read_text(),
    )
    assert len(tuned) == 2, "one tuning per validation pass"
    metrics = json.loads((out / "metrics.json").read_text())
    archive = load_archive(str(out / "model.tar.gz"))
    mode, keep, add = archive.model.tasks["mesh_indexing"].decoding.selection.settings()
    assert (mode, f"{keep:.2f}", f"{add:.2f}") == tuned[metrics["best_epoch"]]
    loader = MultiProcessDataLoader(archive.dataset_reader, data, batch_size=8)
    loader.index_with(archive.model.vocab)
    evaluated = evaluate(archive.model, loader)
    assert evaluated["mesh_indexing_MiF"] == pytest.approx(
        metrics["best_validation_mesh_indexing_MiF"], abs=1e-6
    )
