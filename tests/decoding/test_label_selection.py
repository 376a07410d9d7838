"""Label selection: how decoder labels and head probabilities make the final set."""

import pytest

from multitask.decoding.label_selection import LabelSelection, SelectionRecord, choose


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


def test_fit_can_keep_a_mode_fixed_and_state_round_trips():
    selection = LabelSelection(mode="scores", tune_mode=False, grid=[0.3, 0.6])
    selection.fit([SelectionRecord([], {"a": 0.5, "b": 0.7}, frozenset({"b"}))])
    assert (selection.mode, selection.add_threshold) == ("scores", 0.6)
    other = LabelSelection()
    other.set_state(selection.state())
    assert (other.mode, other.keep_threshold, other.add_threshold) == (
        "scores",
        selection.keep_threshold,
        0.6,
    )


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="selection mode"):
        LabelSelection(mode="vote")
