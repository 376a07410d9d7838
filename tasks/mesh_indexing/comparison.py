"""Side by side on one split with one metric implementation: any set of suggesters (the
baselines, ensembles, trained MQAN archives). What `allennlp compare` prints.

Every system's output and the gold headings are keyed by descriptor UI through one MeSH
vocabulary (names where a file has no UIs, as BioASQ files do), so a renamed heading or a
name-only gold file cannot make two systems disagree on what counts as correct. Suggesters
that are fitted here are fitted on the training split and their limit and threshold tuned
on the validation split by the one tuner (:mod:`tasks.mesh_indexing.suggesters.tuning`);
a trained archive keeps the selection it tuned on validation while training.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from multitask.data.read_stats import ReadStats
from multitask.metrics import example_based_f1, hierarchical_prf, macro_f1, micro_prf
from tasks.mesh_indexing.bootstrap import Interval, mif_difference
from tasks.mesh_indexing.labels import gold_labels
from tasks.mesh_indexing.mesh import MeshVocabulary
from tasks.mesh_indexing.suggesters import MqanArchiveSuggester, Suggester, tune
from tasks.mesh_indexing.suggesters.tuning import DEFAULT_LIMITS
from tasks.pubmed.article import Article, article_text
from tasks.pubmed.corpus import read_articles

logger = logging.getLogger(__name__)

#: the registered suggesters `compare` fits by default
BASELINES = ("frequency", "tfidf_omikuji", "tfidf_linear")
#: texts per `suggest` call, so that a progress bar moves
CHUNK = 256


@dataclass(frozen=True)
class Scores:
    """BioASQ Task A flat measures, as :mod:`multitask.metrics` computes them."""

    mif: float
    mip: float
    mir: float
    ebf: float
    maf: float

    def to_json(self) -> dict[str, float]:
        return asdict(self)


def score(gold: Sequence[Collection[str]], pred: Sequence[Collection[str]]) -> Scores:
    """Score predictions with the same functions the MQAN model is evaluated with."""
    mip, mir, mif = micro_prf(gold, pred)
    return Scores(
        mif=mif, mip=mip, mir=mir, ebf=example_based_f1(gold, pred), maf=macro_f1(gold, pred)
    )


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


@dataclass
class Row:
    """One system: its scores on the evaluated split and what it cost."""

    name: str
    scores: Scores
    hif: float
    train_seconds: float | None
    predict_per_second: float
    params: dict[str, Any] = field(default_factory=dict)
    #: what it predicted for each evaluated article, and the gold (for paired intervals)
    predictions: list[frozenset[str]] = field(default_factory=list, repr=False)
    gold: list[frozenset[str]] = field(default_factory=list, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **{k: round(v, 4) for k, v in self.scores.to_json().items()},
            "hif": round(self.hif, 4),
            "train_seconds": None if self.train_seconds is None else round(self.train_seconds, 1),
            "predict_per_second": round(self.predict_per_second, 1),
            "params": self.params,
        }


def hierarchical_f1(
    gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]], mesh: MeshVocabulary
) -> float:
    """HiF over the MeSH tree (Kosmopoulos et al. 2015): both sets extended with ancestors;
    descriptors without tree numbers (Female, Male) are roots, unknown labels have none."""

    def ancestors(label: str) -> set[str]:
        return mesh.ancestors(label) if mesh.get_by_ui(label) is not None else set()

    return hierarchical_prf(gold, pred, ancestors)[2]


def parse_duration(text: str) -> float:
    """AllenNLP's "H:MM:SS.ffffff" (or "N days, H:MM:SS") training_duration in seconds."""
    days = 0
    match = re.match(r"(\d+) days?, (.*)", text)
    if match:
        days, text = int(match.group(1)), match.group(2)
    hours, minutes, seconds = text.split(":")
    return days * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def archive_train_seconds(archive: Path) -> float | None:
    """The trainer's time from the run's metrics.json, plus the candidate retriever's
    fitting time when the run recorded it; None when the run folder is not beside it."""
    metrics = archive.parent / "metrics.json"
    if not metrics.exists():
        return None
    seconds = parse_duration(json.loads(metrics.read_text())["training_duration"])
    retriever = archive.parent / "artifacts" / "candidates" / "meta.json"
    if retriever.exists():
        seconds += float(json.loads(retriever.read_text()).get("fit_seconds") or 0.0)
    return seconds


def suggest_all(
    suggester: Suggester, texts: Sequence[str], limit: int, what: str, progress: bool
) -> tuple[list, float]:
    """Every text's suggestions, in chunks under a progress bar, and the seconds it took."""
    start = time.perf_counter()
    out: list = []
    for begin in tqdm(
        range(0, len(texts), CHUNK), desc=what, unit="chunk", disable=not progress, leave=False
    ):
        out.extend(suggester.suggest(texts[begin : begin + CHUNK], limit))
    return out, time.perf_counter() - start


@dataclass
class Split:
    """One split's texts and gold label sets."""

    texts: list[str]
    gold: list[frozenset[str]]

    @classmethod
    def of(cls, articles: Sequence[Article], mesh: MeshVocabulary) -> Split:
        return cls([article_text(a) for a in articles], gold_labels(articles, mesh))


def score_suggester(
    name: str,
    suggester: Suggester,
    train: Split | None,
    validation: Split,
    evaluate: Split,
    mesh: MeshVocabulary,
    progress: bool = True,
) -> Row:
    """Fit ``suggester`` on ``train`` unless it comes trained, tune its limit and threshold
    on ``validation`` (an archive keeps its own selection), and score it on ``evaluate``."""
    limit = max(DEFAULT_LIMITS)
    params: dict[str, Any] = {"config": suggester.config()}
    train_seconds: float | None
    if isinstance(suggester, MqanArchiveSuggester):
        train_seconds = archive_train_seconds(Path(suggester.archive))
        suggested, seconds = suggest_all(suggester, evaluate.texts, 10_000, name, progress)
        pred = [frozenset(s.label for s in row) for row in suggested]
        params.update(archive_selection(suggester))
    else:
        train_seconds = None  # came trained (a saved suggester folder)
        if not suggester.trained:
            if train is None:
                raise ValueError(f"{name}: no training split to fit it on")
            start = time.perf_counter()
            suggester.fit(train.texts, train.gold)
            train_seconds = time.perf_counter() - start
        on_validation, _ = suggest_all(suggester, validation.texts, limit, name, progress)
        tuned = tune(on_validation, validation.gold)
        logger.info(
            "%s: limit %d, threshold %.4g tuned on validation (MiF %.4f)",
            name,
            tuned.selection.limit,
            tuned.selection.threshold,
            tuned.mif,
        )
        params["selection"] = tuned.to_json()
        suggested, seconds = suggest_all(suggester, evaluate.texts, limit, name, progress)
        pred = tuned.selection.apply(suggested)
    return Row(
        name,
        score(evaluate.gold, pred),
        hierarchical_f1(evaluate.gold, pred, mesh),
        train_seconds,
        len(evaluate.texts) / max(seconds, 1e-9),
        params,
        [frozenset(p) for p in pred],
        list(evaluate.gold),
    )


def archive_selection(suggester: MqanArchiveSuggester) -> dict[str, Any]:
    """The label selection the archive tuned on validation while training, per task."""
    model = suggester.predictor._model
    out = {}
    for name, spec in getattr(model, "tasks", {}).items():
        selection = spec.decoding.selection
        if selection is not None:
            out[name] = selection.settings()._asdict()
    return {"selection": out} if out else {}


def compare(
    train_path: Path,
    validation_path: Path,
    eval_path: Path,
    mesh: MeshVocabulary,
    suggesters: Sequence[tuple[str, Suggester]],
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> list[Row]:
    """Fit and tune every suggester on train / validation (an archive comes trained), then
    score each on ``eval_path``."""
    needs_training = any(not s.trained for _, s in suggesters)
    train = (
        Split.of(load_articles(train_path, "train", progress=progress), mesh)
        if needs_training
        else None
    )
    validation = Split.of(load_articles(validation_path, "validation", progress=progress), mesh)
    evaluate = Split.of(load_articles(eval_path, "eval", progress=progress), mesh)
    rows = []
    for name, suggester in suggesters:
        log(f"scoring {name} on {len(evaluate.texts):,} articles")
        rows.append(score_suggester(name, suggester, train, validation, evaluate, mesh, progress))
    return rows


def resolve_reference(rows: Sequence[Row], requested: str | None) -> str | None:
    """The row every other is measured against: ``requested`` if a row has that name, else
    the first seed of ``requested``'s ``<system>_s<seed>`` rows, else tfidf_omikuji, else the
    first row."""
    names = [r.name for r in rows]
    if requested in names:
        return requested
    seeds = seed_groups(rows).get(requested or "")
    if seeds:
        return seeds[0].name
    if "tfidf_omikuji" in names:
        return "tfidf_omikuji"
    return names[0] if names else None


def mif_differences(rows: Sequence[Row], reference: str | None) -> dict[str, Interval]:
    """Each row's MiF minus the reference's, with a paired bootstrap 95% interval over the
    evaluated articles."""
    ref = next((r for r in rows if r.name == reference), None)
    if ref is None or not ref.predictions:
        return {}
    return {
        r.name: mif_difference(r.gold, r.predictions, ref.predictions)
        for r in rows
        if r.name != reference and r.predictions
    }


def markdown_table(rows: Sequence[Row], reference: str | None = "tfidf_omikuji") -> str:
    """The comparison as a markdown table: each system's MiF minus ``reference``'s with its
    paired bootstrap 95% interval, MiF relative to omikuji, and the cost columns."""
    omikuji = next((r.scores.mif for r in rows if r.name == "tfidf_omikuji"), None)
    differences = mif_differences(rows, reference)
    header = (
        f"| system | MiF | MiF - {reference} [95% CI] | MiP | MiR | EBF | MaF | HiF "
        "| MiF / omikuji | train s | predict /s |"
    )
    lines = [header, "|" + "---|" * 11]
    for r in rows:
        s = r.scores
        ratio = f"{s.mif / omikuji:.3f}" if omikuji else "n/a"
        train = "n/a" if r.train_seconds is None else f"{r.train_seconds:,.0f}"
        # a constant answer (frequency top-k) takes no measurable time per article
        speed = f"{r.predict_per_second:,.0f}" if r.predict_per_second < 1e6 else "> 1,000,000"
        if r.name == reference:
            difference = "(reference)"
        elif r.name in differences:
            difference = differences[r.name].format()
        else:
            difference = "n/a"
        lines.append(
            f"| {r.name} | {s.mif:.4f} | {difference} | {s.mip:.4f} | {s.mir:.4f} "
            f"| {s.ebf:.4f} | {s.maf:.4f} | {r.hif:.4f} | {ratio} | {train} | {speed} |"
        )
    return "\n".join(lines)


SEED_SUFFIX = re.compile(r"^(?P<system>.+)_s(?P<seed>\d+)$")


def seed_groups(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Rows named ``<system>_s<seed>`` gathered per system, in the order first seen."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        match = SEED_SUFFIX.match(row.name)
        if match:
            groups.setdefault(match.group("system"), []).append(row)
    return groups


def seed_table(rows: Sequence[Row], reference: str | None = None) -> str | None:
    """Mean and spread (max - min) over seeds of MiF, MaF and HiF for every system given
    as ``<system>_s<seed>`` rows, and each mean's difference from ``reference``'s (a method
    against the run without it); None when no system has two seeds."""
    groups = seed_groups(rows)
    if not any(len(members) > 1 for members in groups.values()):
        return None
    measures: list[Callable[[Row], float]] = [
        lambda r: r.scores.mif,
        lambda r: r.scores.maf,
        lambda r: r.hif,
    ]

    def means(members: list[Row]) -> list[float]:
        return [sum(map(get, members)) / len(members) for get in measures]

    base = means(groups[reference]) if reference in groups else None
    header = "| system | seeds | MiF | spread | MaF | spread | HiF | spread | train s |"
    if base:
        header += f" MiF - {reference} | MaF - {reference} | HiF - {reference} |"
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for system, members in groups.items():
        cells = [system, str(len(members))]
        averages = means(members)
        for get, mean in zip(measures, averages):
            values = [get(r) for r in members]
            cells += [f"{mean:.4f}", f"{max(values) - min(values):.4f}"]
        seconds = [r.train_seconds for r in members if r.train_seconds is not None]
        cells.append(f"{sum(seconds) / len(seconds):,.0f}" if seconds else "n/a")
        if base:
            cells += [f"{mean - ref:+.4f}" for mean, ref in zip(averages, base)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bar_chart(rows: Sequence[Row], path: Path, title: str) -> None:
    """Grouped bars of MiF, EBF, MaF and HiF per system (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measures = [("MiF", "mif"), ("EBF", "ebf"), ("MaF", "maf"), ("HiF", None)]
    width = 0.8 / len(measures)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(rows)), 4.0))
    for i, (label, key) in enumerate(measures):
        values = [getattr(r.scores, key) if key else r.hif for r in rows]
        positions = [x + (i - (len(measures) - 1) / 2) * width for x in range(len(rows))]
        bars = ax.bar(positions, values, width, label=label)
        if label == "MiF":
            ax.bar_label(bars, fmt="%.3f", fontsize=7)
    ax.set_xticks(range(len(rows)), [r.name for r in rows], rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(ncols=4, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


__all__ = [
    "BASELINES",
    "Row",
    "Scores",
    "Split",
    "bar_chart",
    "compare",
    "load_articles",
    "hierarchical_f1",
    "markdown_table",
    "parse_duration",
    "score",
    "score_suggester",
    "seed_groups",
    "seed_table",
]
