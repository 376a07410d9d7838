"""Selection tuning: records of a validation pass, the fit on them, the rescored metric."""

import pytest

from multitask.decoding.label_selection import LabelSelection
from multitask.decoding.selection_tuning import SelectionTuner
from multitask.metrics import MultiLabelF1

GRID = [0.1 * i for i in range(1, 10)]
ROWS = [
    (["a", "b"], {"a": 0.8, "b": 0.4, "c": 0.3}, {"a", "b"}),
    (["a", "c"], {"a": 0.7, "b": 0.6, "c": 0.2}, {"a"}),
    (["b", "c"], {"a": 0.1, "b": 0.9, "c": 0.35}, {"b", "c"}),
]


def test_tune_fits_on_the_pass_rescores_the_metric_and_starts_empty():
    selection = LabelSelection(mode="decoder", grid=GRID)
    metric = MultiLabelF1()
    metric([{"x"}], [{"a"}])  # what the pass scored with the old selection
    tuner = SelectionTuner({"mesh": selection}, {"mesh": metric})
    for decoded, scores, gold in ROWS:
        tuner.record("mesh", decoded, scores, gold)

    best = tuner.tune()

    assert best == {"mesh": pytest.approx(1.0)}
    assert selection.mode != "decoder"
    assert metric.get_metric()["MiF"] == pytest.approx(1.0)  # the tuned selection's score
    assert tuner.records == {}


def test_only_selections_with_tune_are_tuned():
    fixed = LabelSelection(mode="decoder", tune=False)
    tuner = SelectionTuner({"fixed": fixed, "tuned": LabelSelection(grid=GRID)})
    assert tuner.tunes("tuned") and not tuner.tunes("fixed") and not tuner.tunes("other")
    assert tuner.tune() == {}  # nothing recorded: nothing fitted
    assert fixed.mode == "decoder"
