"""Paired bootstrap intervals of micro-F1 differences, and the comparison table that prints
them."""

import random

import pytest

from multitask.metrics import micro_prf
from tasks.mesh_indexing.bootstrap import mif_difference, mif_interval
from tasks.mesh_indexing.comparison import Row, Scores, markdown_table, resolve_reference

random.seed(3)
LABELS = [f"D{i:06d}" for i in range(40)]
GOLD = [frozenset(random.sample(LABELS, 5)) for _ in range(400)]


def noisy(keep: float, seed: int) -> list[frozenset[str]]:
    """Each gold label kept with probability ``keep``, plus two wrong labels."""
    rng = random.Random(seed)
    return [
        frozenset({x for x in g if rng.random() < keep} | set(rng.sample(LABELS, 2))) for g in GOLD
    ]


def test_the_point_estimate_is_the_difference_of_micro_f1():
    better, worse = noisy(0.9, 1), noisy(0.5, 2)
    interval = mif_difference(GOLD, better, worse)
    expected = micro_prf(GOLD, better)[2] - micro_prf(GOLD, worse)[2]
    assert interval.value == pytest.approx(expected)
    assert interval.low < interval.value < interval.high
    assert interval.excludes_zero() and interval.low > 0.1  # a large lead, 400 articles


def test_a_system_against_itself_differs_by_exactly_zero():
    same = noisy(0.7, 4)
    interval = mif_difference(GOLD, same, same)
    assert (interval.value, interval.low, interval.high) == (0.0, 0.0, 0.0)
    assert not interval.excludes_zero()


def test_a_tiny_lead_on_few_articles_is_not_called_real():
    a, b = noisy(0.70, 5)[:30], noisy(0.69, 6)[:30]
    interval = mif_difference(GOLD[:30], a, b)
    assert interval.low < 0.0 < interval.high


def test_the_interval_is_reproducible_and_narrows_with_more_articles():
    a, b = noisy(0.8, 7), noisy(0.7, 8)
    assert mif_difference(GOLD, a, b) == mif_difference(GOLD, a, b)
    wide = mif_interval(GOLD[:50], a[:50])
    narrow = mif_interval(GOLD, a)
    assert narrow.high - narrow.low < wide.high - wide.low
    with pytest.raises(ValueError, match="400 gold label sets but 3"):
        mif_difference(GOLD, a[:3], b[:3])


def test_the_table_prints_each_difference_with_its_interval():
    def row(name, pred):
        mif = micro_prf(GOLD, pred)[2]
        return Row(name, Scores(mif, 0, 0, 0, 0), 0.0, 1.0, 10.0, {}, pred, list(GOLD))

    rows = [row("tfidf_omikuji", noisy(0.6, 9)), row("main", noisy(0.8, 10))]
    assert resolve_reference(rows, "main") == "main"
    assert resolve_reference(rows, "nothing") == "tfidf_omikuji"
    lines = markdown_table(rows, "main").splitlines()
    assert "MiF - main [95% CI]" in lines[0]
    assert "| (reference) |" in lines[3]
    difference = mif_difference(GOLD, rows[0].predictions, rows[1].predictions)
    assert f"| {difference.format()} |" in lines[2] and difference.high < 0
