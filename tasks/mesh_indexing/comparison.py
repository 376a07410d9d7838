"""Side by side on one split with one metric implementation: the MeSH baselines and any
number of trained MQAN archives. What `scripts/compare_mesh.py` prints.

Every system's output and the gold headings are keyed by descriptor UI through one MeSH
vocabulary (names where a file has no UIs, as BioASQ files do), so a renamed heading or a
name-only gold file cannot make two systems disagree on what counts as correct.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from multitask.baselines.common import Scores, article_text, score
from multitask.baselines.runner import load_articles, run_baselines
from multitask.data.article import Article
from multitask.mesh import LabelResolver, MeshVocabulary
from multitask.metrics import hierarchical_prf

PREDICT_BATCH = 32


@dataclass
class Row:
    """One system: its scores on the evaluated split and what it cost."""

    name: str
    scores: Scores
    hif: float
    train_seconds: float | None
    predict_per_second: float
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **{k: round(v, 4) for k, v in self.scores.to_json().items()},
            "hif": round(self.hif, 4),
            "train_seconds": None if self.train_seconds is None else round(self.train_seconds, 1),
            "predict_per_second": round(self.predict_per_second, 1),
            "params": self.params,
        }


def gold_labels(articles: Sequence[Article], mesh: MeshVocabulary) -> list[frozenset[str]]:
    """Descriptor UIs of each article; a label no vocabulary entry matches stays in gold as
    ``unknown:<label>`` (a miss for every system)."""
    resolver = LabelResolver(mesh)
    out = []
    for article in articles:
        labels = set()
        names = article.mesh_names or [None] * len(article.mesh_uis)
        for ui, name in zip(article.mesh_uis or [None] * len(names), names):
            descriptor = resolver.resolve_one((ui, name or ""))
            labels.add(descriptor.ui if descriptor and descriptor.ui else f"unknown:{ui or name}")
        out.append(frozenset(labels))
    return out


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


def predict_archive(
    archive: Path, articles: Sequence[Article], progress: bool = True
) -> tuple[list[frozenset[str]], float, dict[str, Any]]:
    """Labels of every article from a trained archive (the `mesh_indexer` predictor, in
    batches), the prediction time, and the archive's label selection."""
    from allennlp.predictors import Predictor

    import multitask  # noqa: F401 - registers the components
    import tasks  # noqa: F401

    predictor = Predictor.from_path(str(archive), "mesh_indexer")
    inputs = [{"pmid": a.pmid, "title": a.title, "abstractText": a.abstract} for a in articles]
    start = time.perf_counter()
    predicted: list[frozenset[str]] = []
    for begin in tqdm(
        range(0, len(inputs), PREDICT_BATCH),
        desc=f"predicting with {archive}",
        unit="batch",
        disable=not progress,
    ):
        for output in predictor.predict_batch_json(inputs[begin : begin + PREDICT_BATCH]):
            predicted.append(frozenset(label["ui"] for label in output["labels"]))
    seconds = time.perf_counter() - start
    params: dict[str, Any] = {}
    for name, spec in getattr(predictor._model, "tasks", {}).items():
        selection = spec.decoding.selection
        if selection is not None:
            predictor._model._sync_selection(name)
            params["selection"] = {
                "mode": selection.mode,
                "keep_threshold": selection.keep_threshold,
                "add_threshold": selection.add_threshold,
            }
    return predicted, seconds, params


def compare(
    train_path: Path,
    validation_path: Path,
    eval_path: Path,
    mesh: MeshVocabulary,
    archives: Sequence[tuple[str, Path]],
    baselines: Sequence[str],
    n_threads: int | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> list[Row]:
    """Fit and tune the baselines on train / validation, score them and every archive on
    ``eval_path``."""
    train = load_articles(train_path, "train", progress=progress)
    validation = load_articles(validation_path, "validation", progress=progress)
    evaluate = load_articles(eval_path, "eval", progress=progress)
    gold = tuple(gold_labels(split, mesh) for split in (train, validation, evaluate))
    rows: list[Row] = []
    if baselines:
        for result in run_baselines(
            train,
            validation,
            evaluate,
            baselines,
            n_threads=n_threads,
            progress=progress,
            gold=gold,
        ):
            rows.append(
                Row(
                    result.name,
                    result.scores,
                    hierarchical_f1(gold[2], result.predictions or [], mesh),
                    result.fit_seconds,
                    len(evaluate) / max(result.predict_seconds, 1e-9),
                    result.params,
                )
            )
    for name, archive in archives:
        log(f"scoring {name} ({archive}) on {len(evaluate):,} articles")
        pred, seconds, params = predict_archive(archive, evaluate, progress)
        rows.append(
            Row(
                name,
                score(gold[2], pred),
                hierarchical_f1(gold[2], pred, mesh),
                archive_train_seconds(archive),
                len(evaluate) / max(seconds, 1e-9),
                {"archive": str(archive), **params},
            )
        )
    return rows


def markdown_table(rows: Sequence[Row], reference: str = "tfidf_omikuji") -> str:
    """The comparison as a markdown table, with MiF relative to ``reference``."""
    ref = next((r.scores.mif for r in rows if r.name == reference), None)
    header = "| system | MiF | MiP | MiR | EBF | MaF | HiF | MiF / omikuji | train s | predict /s |"
    lines = [header, "|" + "---|" * 10]
    for r in rows:
        s = r.scores
        ratio = f"{s.mif / ref:.3f}" if ref else "n/a"
        train = "n/a" if r.train_seconds is None else f"{r.train_seconds:,.0f}"
        # a constant answer (frequency top-k) takes no measurable time per article
        speed = f"{r.predict_per_second:,.0f}" if r.predict_per_second < 1e6 else "> 1,000,000"
        lines.append(
            f"| {r.name} | {s.mif:.4f} | {s.mip:.4f} | {s.mir:.4f} | {s.ebf:.4f} | {s.maf:.4f} "
            f"| {r.hif:.4f} | {ratio} | {train} | {speed} |"
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
    "Row",
    "article_text",
    "bar_chart",
    "compare",
    "gold_labels",
    "hierarchical_f1",
    "markdown_table",
    "parse_duration",
    "seed_groups",
    "seed_table",
]
