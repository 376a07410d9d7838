"""Run the baselines on train / validation / evaluation splits and report them."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from multitask.baselines.common import Scores, article_labels, article_text, score
from multitask.baselines.frequency import FrequencyBaseline
from multitask.baselines.tfidf_linear import TfidfLinearBaseline
from multitask.baselines.tfidf_omikuji import (
    OMIKUJI_MISSING,
    TfidfOmikujiBaseline,
    omikuji_available,
    select,
)
from multitask.data.article import Article
from multitask.data.corpus import ReadStats, read_articles

logger = logging.getLogger(__name__)

BASELINES = ("frequency", "tfidf_omikuji", "tfidf_linear")
DEFAULT_K = 5


@dataclass
class BaselineResult:
    """One row of the report: a baseline's scores on the evaluated split and its cost."""

    name: str
    scores: Scores
    fit_seconds: float
    predict_seconds: float
    params: dict[str, Any] = field(default_factory=dict)
    #: the predicted label sets of the evaluated split (not written to JSON)
    predictions: list[frozenset[str]] | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **self.scores.to_json(),
            "fit_seconds": round(self.fit_seconds, 3),
            "predict_seconds": round(self.predict_seconds, 3),
            "params": self.params,
        }


def load_articles(path: str | Path, split: str, *, progress: bool = True) -> list[Article]:
    """Read a whole split (articles need an abstract and headings), logging the counts so
    that a skipped record does not change the numbers unnoticed."""
    stats = ReadStats()
    articles = list(
        tqdm(
            read_articles(path, stats=stats),
            desc=f"reading {split}",
            unit="doc",
            disable=not progress,
            leave=False,
        )
    )
    logger.info("%s: %s: %s", split, path, stats.summary().replace("\n", "; "))
    if not articles:
        raise ValueError(f"{split} split {path} has no articles with abstract and MeSH headings")
    return articles


def _frequency(
    train_gold: Sequence[frozenset[str]],
    validation_gold: Sequence[frozenset[str]],
    eval_gold: Sequence[frozenset[str]],
    k: int | None,
) -> list[BaselineResult]:
    start = time.perf_counter()
    model = FrequencyBaseline().fit(train_gold)
    fit_seconds = time.perf_counter() - start
    rows: list[tuple[int, str, float]] = []
    if k is not None:
        rows.append((k, "given", 0.0))
    else:
        start = time.perf_counter()
        tuned = model.tune_k(validation_gold)
        tune_seconds = time.perf_counter() - start
        logger.info("frequency: k=%d maximises validation MiF over k=1..30", tuned)
        rows.append((DEFAULT_K, "default", 0.0))
        if tuned != DEFAULT_K:
            rows.append((tuned, "tuned on validation MiF", tune_seconds))
        else:
            rows[0] = (DEFAULT_K, "default, also tuned on validation MiF", tune_seconds)
    results = []
    for row_k, how, extra in rows:
        start = time.perf_counter()
        pred = model.predict(len(eval_gold), row_k)
        predict_seconds = time.perf_counter() - start
        results.append(
            BaselineResult(
                name=f"frequency@{row_k}",
                scores=score(eval_gold, pred),
                fit_seconds=fit_seconds + extra,
                predict_seconds=predict_seconds,
                params={"k": row_k, "k_from": how, "labels": sorted(model.top(row_k))},
                predictions=list(pred),
            )
        )
    return results


def _tfidf_omikuji(
    train: Sequence[Article],
    validation: Sequence[Article],
    evaluate: Sequence[Article],
    gold: tuple[Sequence[frozenset[str]], ...],
    n_threads: int | None,
    progress: bool,
) -> BaselineResult:
    train_gold, validation_gold, eval_gold = gold
    start = time.perf_counter()
    model = TfidfOmikujiBaseline(n_threads=n_threads)
    model.fit([article_text(a) for a in train], train_gold, progress=progress)
    fit_seconds = time.perf_counter() - start
    logger.info(
        "tfidf_omikuji: %d features, %d labels, fitted in %.1fs",
        model.n_features,
        len(model.labels),
        fit_seconds,
    )
    start = time.perf_counter()
    validation_scored = model.predict_scores(
        [article_text(a) for a in validation], progress=progress
    )
    validation_seconds = time.perf_counter() - start
    threshold, cap = model.tune(validation_scored, validation_gold)
    logger.info("tfidf_omikuji: threshold %.3f, cap %d tuned on validation MiF", threshold, cap)
    if evaluate is validation:  # already scored: reuse rather than predict twice
        predict_seconds = validation_seconds
        pred_sets = select(validation_scored, threshold, cap)
    else:
        start = time.perf_counter()
        pred_sets = model.predict([article_text(a) for a in evaluate], progress=progress)
        predict_seconds = time.perf_counter() - start
    return BaselineResult(
        name="tfidf_omikuji",
        predictions=list(pred_sets),
        scores=score(eval_gold, pred_sets),
        fit_seconds=fit_seconds,
        predict_seconds=predict_seconds,
        params={
            "threshold": threshold,
            "cap": cap,
            "n_trees": model.n_trees,
            "n_features": model.n_features,
            "n_labels": len(model.labels),
            "vectorizer": {
                k: v
                for k, v in model.vectorizer.get_params().items()
                if k in ("sublinear_tf", "min_df", "max_features", "ngram_range", "strip_accents")
            },
        },
    )


def _tfidf_linear(
    train: Sequence[Article],
    validation: Sequence[Article],
    evaluate: Sequence[Article],
    gold: tuple[Sequence[frozenset[str]], ...],
    progress: bool,
) -> BaselineResult:
    train_gold, validation_gold, eval_gold = gold
    start = time.perf_counter()
    model = TfidfLinearBaseline().fit(
        [article_text(a) for a in train], train_gold, progress=progress
    )
    fit_seconds = time.perf_counter() - start
    threshold, cap = model.tune(
        model.predict_scores([article_text(a) for a in validation]), validation_gold
    )
    logger.info(
        "tfidf_linear: %d headings with >= %d examples; margin %.2f, cap %d tuned on "
        "validation MiF",
        len(model.labels),
        model.min_examples,
        threshold,
        cap,
    )
    start = time.perf_counter()
    pred_sets = model.predict([article_text(a) for a in evaluate])
    predict_seconds = time.perf_counter() - start
    return BaselineResult(
        name="tfidf_linear",
        predictions=list(pred_sets),
        scores=score(eval_gold, pred_sets),
        fit_seconds=fit_seconds,
        predict_seconds=predict_seconds,
        params={
            "threshold": threshold,
            "cap": cap,
            "min_examples": model.min_examples,
            "n_labels": len(model.labels),
            "C": model.c,
        },
    )


def run_baselines(
    train: Sequence[Article],
    validation: Sequence[Article],
    evaluate: Sequence[Article],
    names: Sequence[str] = BASELINES,
    *,
    k: int | None = None,
    n_threads: int | None = None,
    progress: bool = False,
    gold: tuple[Sequence[frozenset[str]], ...] | None = None,
) -> list[BaselineResult]:
    """Fit each named baseline on ``train``, tune it on ``validation``, score it on
    ``evaluate`` (pass the validation list itself to avoid predicting it twice).

    ``k`` fixes the frequency baseline's k; None reports k=5 and the validation-tuned k.
    A missing omikuji is logged and that baseline left out rather than failing the run.
    ``gold`` gives the label sets of (train, validation, evaluate) when the caller keys
    labels its own way (e.g. resolved to descriptor UIs); by default :func:`article_labels`.
    """
    unknown = [n for n in names if n not in BASELINES]
    if unknown:
        raise ValueError(f"unknown baselines {unknown}; expected some of {list(BASELINES)}")
    if gold is None:
        gold = tuple([article_labels(a) for a in split] for split in (train, validation, evaluate))
    results: list[BaselineResult] = []
    for name in names:
        if name == "frequency":
            results.extend(_frequency(*gold, k))
        elif name == "tfidf_linear":
            results.append(_tfidf_linear(train, validation, evaluate, gold, progress))
        elif not omikuji_available():
            logger.warning("skipping tfidf_omikuji: %s", OMIKUJI_MISSING)
        else:
            results.append(_tfidf_omikuji(train, validation, evaluate, gold, n_threads, progress))
    return results


def format_table(results: Sequence[BaselineResult]) -> str:
    """A fixed-width text table: MiF, MiP, MiR, EBF, MaF and fit / predict seconds."""
    width = max([len("baseline"), *(len(r.name) for r in results)])
    header = f"{'baseline':<{width}}  {'MiF':>6} {'MiP':>6} {'MiR':>6} {'EBF':>6} {'MaF':>6}"
    header += f"  {'fit s':>8} {'pred s':>8}"
    lines = [header, "-" * len(header)]
    for r in results:
        s = r.scores
        lines.append(
            f"{r.name:<{width}}  {s.mif:6.4f} {s.mip:6.4f} {s.mir:6.4f} {s.ebf:6.4f} {s.maf:6.4f}"
            f"  {r.fit_seconds:8.2f} {r.predict_seconds:8.2f}"
        )
    return "\n".join(lines)
