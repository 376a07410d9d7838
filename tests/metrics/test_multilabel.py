"""Multi-label measures: hand-computed cases, and agreement with scikit-learn."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.preprocessing import MultiLabelBinarizer

from multitask.metrics import (
    example_based_f1,
    example_f1,
    hierarchical_prf,
    macro_f1,
    micro_prf,
)

# Two examples, worked by hand.
#   ex 1: gold {a, b, c}, pred {a, b, d}  -> tp a,b; fp d; fn c
#   ex 2: gold {a},       pred {a, e}     -> tp a;   fp e
GOLD = [{"a", "b", "c"}, {"a"}]
PRED = [{"a", "b", "d"}, {"a", "e"}]


def test_micro_by_hand() -> None:
    # tp 3, fp 2, fn 1: P = 3/5, R = 3/4, F = 2PR/(P+R) = 0.9/1.35 = 2/3
    p, r, f = micro_prf(GOLD, PRED)
    assert (p, r) == pytest.approx((0.6, 0.75))
    assert f == pytest.approx(2 / 3)


def test_example_based_by_hand() -> None:
    # ex 1: 2*2/(3+3) = 2/3; ex 2: 2*1/(1+2) = 2/3; mean 2/3
    assert example_based_f1(GOLD, PRED) == pytest.approx(2 / 3)
    # Empty gold and empty prediction is a perfect answer (1.0); empty vs not is 0.0.
    assert example_f1(set(), set()) == 1.0
    assert example_f1(set(), {"a"}) == 0.0
    assert example_based_f1([set(), {"a"}], [set(), set()]) == pytest.approx(0.5)


def test_macro_by_hand() -> None:
    # a: tp2 -> 1; b: tp1 -> 1; c: fn1 -> 0; d: fp1 -> 0; e: fp1 -> 0; mean 2/5
    assert macro_f1(GOLD, PRED) == pytest.approx(0.4)


def test_empty_and_mismatched_inputs() -> None:
    assert micro_prf([], []) == (0.0, 0.0, 0.0)
    assert example_based_f1([], []) == 0.0
    assert macro_f1([set()], [set()]) == 0.0
    assert micro_prf([{"a"}], [set()]) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="1 gold label sets but 2"):
        micro_prf([{"a"}], [{"a"}, {"b"}])


def _random_sets(rng: random.Random, n: int, labels: list[str]) -> list[set[str]]:
    return [set(rng.sample(labels, rng.randint(0, 5))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_sklearn(seed: int) -> None:
    rng = random.Random(seed)
    labels = [f"D{i:06d}" for i in range(12)]
    gold = _random_sets(rng, 40, labels)
    pred = _random_sets(rng, 40, labels)
    binarizer = MultiLabelBinarizer().fit(gold + pred)  # classes: labels in gold or pred
    y_true, y_pred = binarizer.transform(gold), binarizer.transform(pred)

    p, r, f = micro_prf(gold, pred)
    assert p == pytest.approx(precision_score(y_true, y_pred, average="micro", zero_division=0))
    assert r == pytest.approx(recall_score(y_true, y_pred, average="micro", zero_division=0))
    assert f == pytest.approx(f1_score(y_true, y_pred, average="micro", zero_division=0))
    assert macro_f1(gold, pred) == pytest.approx(
        f1_score(y_true, y_pred, average="macro", zero_division=0)
    )
    # sklearn's zero_division=1 is our convention for examples with nothing to find.
    assert example_based_f1(gold, pred) == pytest.approx(
        f1_score(y_true, y_pred, average="samples", zero_division=1)
    )


# A tiny hierarchy:      r
#                      /   \
#                     x     y
#                    / \
#                   x1  x2
PARENT = {"x": "r", "y": "r", "x1": "x", "x2": "x"}


def _ancestors(label: str) -> set[str]:
    found = set()
    while label in PARENT:
        label = PARENT[label]
        found.add(label)
    return found


def test_hierarchical_by_hand() -> None:
    # gold {x1} -> {x1, x, r}; pred {x2} -> {x2, x, r}: overlap {x, r}
    # HiP = 2/3, HiR = 2/3, HiF = 2/3, where flat F would be 0.
    assert hierarchical_prf([{"x1"}], [{"x2"}], _ancestors) == pytest.approx((2 / 3,) * 3)
    # gold {x1} -> {x1, x, r}; pred {y} -> {y, r}: overlap {r}; P = 1/2, R = 1/3, F = 0.4
    assert hierarchical_prf([{"x1"}], [{"y"}], _ancestors) == pytest.approx((0.5, 1 / 3, 0.4))
    # Two examples pool counts (micro): ex 1 as the first case (tp 2, fp 1, fn 1);
    # ex 2 gold {x} -> {x, r}, pred {x, y} -> {x, y, r}: tp 2, fp 1, fn 0.
    # P = 4/6, R = 4/5, F = 2*(2/3)*(4/5)/(2/3+4/5) = 8/11
    p, r, f = hierarchical_prf([{"x1"}, {"x"}], [{"x2"}, {"x", "y"}], _ancestors)
    assert (p, r, f) == pytest.approx((2 / 3, 0.8, 8 / 11))


def test_hierarchical_equals_flat_without_hierarchy() -> None:
    assert hierarchical_prf(GOLD, PRED, lambda _: set()) == pytest.approx(micro_prf(GOLD, PRED))


def test_hierarchical_on_vocabulary(tmp_path) -> None:
    from tasks.mesh_indexing.mesh import Descriptor, MeshVocabulary

    vocab = MeshVocabulary(
        [
            Descriptor("D009369", "Neoplasms", ("C04",)),
            Descriptor("D009370", "Neoplasms by Histologic Type", ("C04.557",)),
            Descriptor("D009371", "Neoplasms by Site", ("C04.588",)),
            Descriptor("D005260", "Female", ()),
        ]
    )
    # gold {Histologic Type, Female} -> + Neoplasms; pred {by Site, Female} -> + Neoplasms
    # overlap {Neoplasms, Female}: P = R = F = 2/3; Female is a root with no ancestors.
    result = hierarchical_prf([{"D009370", "D005260"}], [{"D009371", "D005260"}], vocab.ancestors)
    assert result == pytest.approx((2 / 3,) * 3)
