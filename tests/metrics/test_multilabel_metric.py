"""The AllenNLP metric: running counts equal the batch functions; reset; distributed sums."""

from __future__ import annotations

import random

import pytest
from allennlp.common.testing import run_distributed_test
from allennlp.training.metrics import Metric

from multitask.metrics import MultiLabelF1, example_based_f1, macro_f1, micro_prf


def _random_sets(rng: random.Random, n: int) -> list[set[str]]:
    labels = [f"L{i}" for i in range(15)]
    return [set(rng.sample(labels, rng.randint(0, 4))) for _ in range(n)]


def _expected(gold: list[set[str]], pred: list[set[str]]) -> dict[str, float]:
    p, r, f = micro_prf(gold, pred)
    return {
        "MiF": f,
        "MiP": p,
        "MiR": r,
        "EBF": example_based_f1(gold, pred),
        "MaF": macro_f1(gold, pred),
    }


def test_registered() -> None:
    assert Metric.by_name("multilabel_f1") is MultiLabelF1
    assert MultiLabelF1.supports_distributed


def test_running_counts_equal_batch_functions() -> None:
    rng = random.Random(7)
    gold, pred = _random_sets(rng, 53), _random_sets(rng, 53)
    metric = MultiLabelF1()
    for start in range(0, 53, 8):  # uneven last batch
        metric(pred[start : start + 8], gold[start : start + 8])
    assert metric.get_metric() == pytest.approx(_expected(gold, pred))
    assert set(metric.get_metric()) == {"MiF", "MiP", "MiR", "EBF", "MaF"}


def test_hand_computed_and_reset() -> None:
    metric = MultiLabelF1()
    # gold {a,b,c} pred {a,b,d}; gold {a} pred {a,e}: see test_multilabel for the arithmetic.
    metric([{"a", "b", "d"}], [{"a", "b", "c"}])
    metric([{"a", "e"}], [{"a"}])
    result = metric.get_metric(reset=True)
    assert result == pytest.approx(
        {"MiF": 2 / 3, "MiP": 0.6, "MiR": 0.75, "EBF": 2 / 3, "MaF": 0.4}
    )
    assert metric.get_metric() == {"MiF": 0.0, "MiP": 0.0, "MiR": 0.0, "EBF": 0.0, "MaF": 0.0}
    metric([{"x"}], [{"x"}])
    assert metric.get_metric()["MiF"] == 1.0
    metric.reset()
    assert metric.get_metric()["EBF"] == 0.0


def _distributed_worker(global_rank: int, world_size: int, gpu_id: int, gold, pred, expected):
    metric = MultiLabelF1()
    half = len(gold) // world_size
    mine = slice(global_rank * half, (global_rank + 1) * half)
    metric(pred[mine], gold[mine])
    assert metric.get_metric() == pytest.approx(expected)


def test_distributed_sums_over_workers() -> None:
    rng = random.Random(3)
    gold, pred = _random_sets(rng, 20), _random_sets(rng, 20)
    run_distributed_test([-1, -1], _distributed_worker, gold, pred, _expected(gold, pred))
