"""The one limit / threshold tuner that every suggester goes through."""

import pytest

from multitask.metrics import micro_prf
from tasks.mesh_indexing.suggesters import Selection, Suggestion, tune
from tasks.mesh_indexing.suggesters.tuning import tune_each_limit


def ranked(*pairs):
    return [Suggestion(label, score) for label, score in pairs]


SUGGESTED = [
    ranked(("a", 0.9), ("b", 0.6), ("c", 0.2)),
    ranked(("a", 0.1), ("b", 0.05)),
    ranked(("c", 0.8), ("d", 0.7), ("a", 0.3)),
]


def test_selection_caps_thresholds_and_never_leaves_a_text_without_labels():
    assert Selection(10, 0.5).apply(SUGGESTED) == [{"a", "b"}, {"a"}, {"c", "d"}]
    assert Selection(1, 0.0).apply(SUGGESTED) == [{"a"}, {"a"}, {"c"}]
    assert Selection(5, 0.99).apply([*SUGGESTED, []]) == [{"a"}, {"a"}, {"c"}, set()]


def test_tune_finds_the_best_micro_f1_and_reports_it():
    gold = [{"a", "b"}, {"b"}, {"c", "d"}]
    tuned = tune(SUGGESTED, gold)
    predicted = tuned.selection.apply(SUGGESTED)
    assert micro_prf(gold, predicted) == pytest.approx((tuned.mip, tuned.mir, tuned.mif))
    # no other selection on the grid does better
    for limit in range(1, 4):
        for threshold in (0.0, 0.05, 0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9):
            other = Selection(limit, threshold).apply(SUGGESTED)
            assert micro_prf(gold, other)[2] <= tuned.mif + 1e-12


def test_ties_go_to_the_smaller_limit_and_the_higher_threshold():
    suggested = [ranked(("a", 0.9), ("b", 0.1))] * 3
    tuned = tune(suggested, [{"a"}] * 3)
    assert tuned.mif == 1.0
    assert tuned.selection.limit == 1 and tuned.selection.threshold == pytest.approx(0.9)


def test_the_frequency_top_k_is_the_tuned_limit():
    """A constant ranking (the frequency baseline) tunes to the classic best k."""
    top = ranked(("Humans", 0.9), ("Female", 0.5), ("Male", 0.45), ("Mice", 0.1))
    gold = [{"Humans", "Female", "Male"}] * 4
    each = tune_each_limit([top] * 4, gold, limits=[1, 2, 3, 4])
    assert [t.selection.limit for t in each] == [1, 2, 3, 4]
    assert max(each, key=lambda t: t.mif).selection.limit == 3
    assert tune([top] * 4, gold, limits=[1, 2]).selection.limit == 2


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="3 suggestion lists but 1 gold"):
        tune(SUGGESTED, [{"a"}])
    with pytest.raises(ValueError, match="limits"):
        tune(SUGGESTED, [{"a"}] * 3, limits=[0])
