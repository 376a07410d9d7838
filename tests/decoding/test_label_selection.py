"""Label selection: how decoder labels and head probabilities make the final set."""

import pytest
import torch
from allennlp.common import Params

from multitask.decoding.label_selection import (
    LabelSelection,
    SelectionSettings,
    choose,
    upgrade_legacy_selection_state,
)
from multitask.decoding.selection_tuning import SelectionRecord


def test_modes():
    decoded = ["a", "b", "c"]
    scores = {"a": 0.9, "b": 0.2, "d": 0.7}
    assert choose(decoded, scores, "decoder", 0.5, 0.5) == ["a", "b", "c"]
    assert choose(decoded, scores, "scores", 0.1, 0.5) == ["a", "d"]
    # fused: decoded labels need only keep_threshold; undecoded ones add_threshold
    assert choose(decoded, scores, "fused", 0.15, 0.8) == ["a", "b"]
    assert choose(decoded, scores, "fused", 0.15, 0.6) == ["a", "d", "b"]


def test_never_empty_when_the_head_has_scores():
    assert choose(["a"], {"x": 0.1, "y": 0.3}, "scores", 0.5, 0.9) == ["y"]
    assert choose([], {}, "fused", 0.5, 0.5) == []


def test_fit_finds_the_threshold_that_separates_gold():
    records = [
        SelectionRecord(["a", "b"], {"a": 0.8, "b": 0.4, "c": 0.3}, frozenset({"a", "b"})),
        SelectionRecord(["a", "c"], {"a": 0.7, "b": 0.6, "c": 0.2}, frozenset({"a"})),
        SelectionRecord(["b", "c"], {"a": 0.1, "b": 0.9, "c": 0.35}, frozenset({"b", "c"})),
    ]
    selection = LabelSelection(grid=[0.1 * i for i in range(1, 10)])
    best = selection.fit(records)
    chosen = [selection.select(r.decoded, r.scores) for r in records]
    assert best == pytest.approx(1.0)
    assert [set(c) for c in chosen] == [set(r.gold) for r in records]


def test_fit_keeps_the_cheap_path_unless_the_decoder_wins_by_more_than_the_margin():
    # the decoder finds "c", which the head scores too low: with it micro-F1 is 1.0, without
    # it 2 * 3 / (3 + 4) = 0.857
    records = [
        SelectionRecord(["a", "c"], {"a": 0.9, "c": 0.05}, frozenset({"a", "c"})),
        SelectionRecord(["b"], {"b": 0.8}, frozenset({"b"})),
        SelectionRecord(["d"], {"d": 0.7}, frozenset({"d"})),
    ]
    grid = [0.1, 0.5]
    decisive = LabelSelection(grid=grid, decoder_margin=0.1)
    assert decisive.fit(records) == pytest.approx(1.0) and decisive.mode != "scores"
    noise = LabelSelection(grid=grid, decoder_margin=0.2)
    assert noise.fit(records) == pytest.approx(6 / 7) and noise.mode == "scores"


def test_fit_can_keep_a_mode_fixed():
    selection = LabelSelection(mode="scores", tune_mode=False, grid=[0.3, 0.6])
    selection.fit([SelectionRecord([], {"a": 0.5, "b": 0.7}, frozenset({"b"}))])
    assert (selection.mode, selection.add_threshold) == ("scores", pytest.approx(0.6))


def test_the_values_are_buffers_that_survive_the_state_dict():
    selection = LabelSelection.from_params(Params({"mode": "fused", "keep_threshold": 0.2}))
    assert set(selection.state_dict()) == {"mode_index", "thresholds"}
    assert not list(selection.parameters())
    selection.set_values("scores", 0.25, 0.65)
    other = LabelSelection()
    other.load_state_dict(selection.state_dict())
    assert other.settings() == selection.settings()
    assert other.settings() == SelectionSettings("scores", pytest.approx(0.25), pytest.approx(0.65))
    assert "mode=scores" in repr(other)


def test_an_old_models_selection_buffer_moves_to_the_new_place():
    # before selections were modules, a model kept [mode index, keep, add] as its own buffer
    state = {"head.selection_mesh_indexing": torch.tensor([1.0, 0.35, 0.6]), "head.w": 1}
    upgrade_legacy_selection_state(state, "head.", "selections", ["mesh_indexing"])
    assert set(state) == {
        "head.w",
        "head.selections.mesh_indexing.mode_index",
        "head.selections.mesh_indexing.thresholds",
    }
    selection = LabelSelection()
    selection.load_state_dict(
        {k.rsplit(".", 1)[1]: v for k, v in state.items() if ".selections." in k}
    )
    assert selection.settings() == ("scores", pytest.approx(0.35), pytest.approx(0.6))


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="selection mode"):
        LabelSelection(mode="vote")
    with pytest.raises(ValueError, match="selection mode"):
        LabelSelection().set_values("vote", 0.1, 0.2)
