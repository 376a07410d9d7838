"""Multi-label measures over label sets, as BioASQ Task A reports them.

All functions take parallel sequences of gold and predicted label collections (one per
example).  Where a ratio has a zero denominator the result is 0.0 (scikit-learn's
``zero_division=0``), except in :func:`example_f1`, where an example with no gold and no
predicted labels is a perfect answer and scores 1.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

L = TypeVar("L")
LabelSets = Sequence[Collection[L]]


def _check(gold: Sequence[object], pred: Sequence[object]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold label sets but {len(pred)} predicted ones")


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return p, r, _ratio(2 * p * r, p + r)


def f1_from_counts(tp: int, fp: int, fn: int) -> float:
    """F1 as ``2tp / (2tp + fp + fn)``, the form that is exact when tp is 0."""
    return _ratio(2 * tp, 2 * tp + fp + fn)


def example_f1(gold: Collection[L], pred: Collection[L]) -> float:
    """F1 of one example; 1.0 when both gold and prediction are empty."""
    gold_set, pred_set = set(gold), set(pred)
    if not gold_set and not pred_set:
        return 1.0
    return f1_from_counts(
        len(gold_set & pred_set), len(pred_set - gold_set), len(gold_set - pred_set)
    )


def label_counts(
    gold: LabelSets[L], pred: LabelSets[L]
) -> tuple[Counter[L], Counter[L], Counter[L]]:
    """Per-label true positives, false positives and false negatives."""
    _check(gold, pred)
    tp: Counter[L] = Counter()
    fp: Counter[L] = Counter()
    fn: Counter[L] = Counter()
    for g, p in zip(gold, pred):
        g_set, p_set = set(g), set(p)
        tp.update(g_set & p_set)
        fp.update(p_set - g_set)
        fn.update(g_set - p_set)
    return tp, fp, fn


def micro_prf(gold: LabelSets[L], pred: LabelSets[L]) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 (BioASQ's MiP, MiR, MiF)."""
    tp, fp, fn = label_counts(gold, pred)
    return prf(tp.total(), fp.total(), fn.total())


def example_based_f1(gold: LabelSets[L], pred: LabelSets[L]) -> float:
    """Mean per-example F1 (BioASQ's EBF); empty gold with empty prediction counts 1.0."""
    _check(gold, pred)
    return _ratio(sum(example_f1(g, p) for g, p in zip(gold, pred)), len(gold))


def macro_f1_from_counts(tp: Counter[L], fp: Counter[L], fn: Counter[L]) -> float:
    """Mean F1 over every label that occurs in gold or prediction."""
    labels = set(tp) | set(fp) | set(fn)
    return _ratio(sum(f1_from_counts(tp[x], fp[x], fn[x]) for x in labels), len(labels))


def macro_f1(gold: LabelSets[L], pred: LabelSets[L]) -> float:
    """Macro-averaged F1 (BioASQ's MaF) over labels occurring in gold or prediction.

    Labels that never occur are left out: with ~30k MeSH headings, counting them as 0 or 1
    would swamp the mean.
    """
    return macro_f1_from_counts(*label_counts(gold, pred))


def augment(labels: Iterable[L], ancestors: Callable[[L], Collection[L]]) -> set[L]:
    """The labels together with all their ancestors."""
    out: set[L] = set()
    for label in labels:
        out.add(label)
        out.update(ancestors(label))
    return out


def hierarchical_prf(
    gold: LabelSets[L], pred: LabelSets[L], ancestors: Callable[[L], Collection[L]]
) -> tuple[float, float, float]:
    """Hierarchical precision, recall and F1 (HiP, HiR, HiF; Kosmopoulos et al. 2015).

    Both sets of each example are extended with their labels' ancestors, then micro P/R/F
    are taken, so a near miss (a sibling or parent of the gold heading) earns partial credit.
    ``ancestors`` must exclude the label itself and cover every label passed (e.g.
    ``MeshVocabulary.ancestors`` after resolving labels); results are cached per call.
    """
    _check(gold, pred)
    cache: dict[L, Collection[L]] = {}

    def cached(label: L) -> Collection[L]:
        if label not in cache:
            cache[label] = ancestors(label)
        return cache[label]

    tp = fp = fn = 0
    for g, p in zip(gold, pred):
        g_aug, p_aug = augment(g, cached), augment(p, cached)
        tp += len(g_aug & p_aug)
        fp += len(p_aug - g_aug)
        fn += len(g_aug - p_aug)
    return prf(tp, fp, fn)
