"""Score every task of one archive on its own held-out file: per-task metrics and decaScore.

`allennlp evaluate` reads one file with one reader; a multi-task archive has a reader per
task. Here each task's file goes through that task's reader from the archive (so a MeSH
question lists the candidates of the archived retriever, exactly as at validation), the
model scores it, and the task's metrics are kept under its name. The decaScore is the sum
over the scored tasks of 100 x the task's headline metric, as in training.

A reader that was trained on the ``train`` part of a single file (``split_part``: the
dev-set copies of SQuAD and NLI) reads the ``held_out`` part of that file here, so a task
is never scored on what it trained on; the output says which part was read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allennlp.data import DatasetReader
from allennlp.data.data_loaders import SimpleDataLoader
from allennlp.models import Model
from allennlp.models.archival import load_archive
from allennlp.training.util import evaluate

from multitask.errors import UserInputError
from multitask.predictors.task_reader import task_reader

logger = logging.getLogger(__name__)


@dataclass
class TaskScore:
    file: str
    part: str
    instances: int
    headline: str | None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        """100 x the headline metric: this task's share of the decaScore."""
        if self.headline is None or self.headline not in self.metrics:
            return None
        return 100.0 * self.metrics[self.headline]


def parse_task_files(pairs: list[str]) -> dict[str, str]:
    """``["task=path", ...]`` as a mapping; each task once."""
    files: dict[str, str] = {}
    for pair in pairs:
        task, sep, path = pair.partition("=")
        if not sep or not task or not path:
            raise UserInputError(f"expected TASK=FILE, got {pair!r}")
        if task in files:
            raise UserInputError(f"task {task!r} given twice")
        files[task] = path
    return files


def check_task_files(files: Mapping[str, str]) -> None:
    """Fail on a missing file before the archive is loaded, not after."""
    if not files:
        raise UserInputError("give at least one TASK=FILE")
    for task, path in files.items():
        if not Path(path).exists():
            raise UserInputError(f"{task}: no such file {path}")


def use_held_out_part(reader: DatasetReader) -> str:
    """Point a reader that trained on the ``train`` part of a file at its ``held_out`` part;
    which part it now reads, in words."""
    if getattr(reader, "split_part", None) != "train":
        return "whole file"
    reader.split_part = "held_out"  # type: ignore[attr-defined]
    return f"held_out part ({reader.held_out_percent}% of contexts)"  # type: ignore[attr-defined]


def score_task(
    model: Model,
    reader: DatasetReader,
    task: str,
    path: str,
    batch_size: int,
    cuda_device: int,
    max_instances: int | None = None,
) -> TaskScore:
    part = use_held_out_part(reader)
    # the archive's validation reader may cap a task (a short check each epoch); a held-out
    # score reads the whole file unless the caller caps it
    reader.max_instances = max_instances
    instances = list(reader.read(path))
    if not instances:
        raise UserInputError(f"{task}: nothing to score in {path} (the reader's log says why)")
    loader = SimpleDataLoader(instances, batch_size, vocab=model.vocab)
    metrics = evaluate(model, loader, cuda_device)
    prefix = f"{task}_"
    own = {key[len(prefix) :]: float(v) for key, v in metrics.items() if key.startswith(prefix)}
    if not own:
        raise UserInputError(
            f"{task}: no metric came back for {path}: did its instances carry gold answers?"
        )
    spec = model.tasks[task]  # type: ignore[index]
    return TaskScore(path, part, len(instances), spec.headline, own)


def evaluate_tasks(
    archive_file: str,
    files: Mapping[str, str],
    batch_size: int = 32,
    cuda_device: int = -1,
    overrides: str = "",
    max_instances: int | None = None,
) -> dict[str, Any]:
    """Per-task metrics and the decaScore of ``archive_file`` on ``files`` (task -> path),
    each file read whole (``max_instances`` caps every task)."""
    if not files:
        raise UserInputError("give at least one TASK=FILE to score")
    archive = load_archive(archive_file, cuda_device=cuda_device, overrides=overrides)
    model = archive.model
    model.eval()
    known = sorted(model.tasks)  # type: ignore[arg-type]
    unknown = sorted(set(files) - set(known))
    if unknown:
        raise UserInputError(f"unknown task(s) {unknown}: this archive knows {known}")
    reader = archive.validation_dataset_reader
    scores: dict[str, TaskScore] = {}
    for task, path in files.items():
        logger.info("scoring %s on %s", task, path)
        one_reader = task_reader(reader, task)
        scores[task] = score_task(
            model, one_reader, task, path, batch_size, cuda_device, max_instances
        )
    headline_scores = [s.score for s in scores.values() if s.score is not None]
    return {
        "archive": str(archive_file),
        "tasks": {
            task: {
                "file": s.file,
                "part": s.part,
                "instances": s.instances,
                "headline": s.headline,
                "score": s.score,
                "metrics": s.metrics,
            }
            for task, s in scores.items()
        },
        "decaScore": sum(headline_scores),
        "tasks_in_decaScore": [t for t, s in scores.items() if s.score is not None],
        "tasks_not_scored": [t for t in known if t not in scores],
    }


def render(result: dict[str, Any]) -> str:
    """A markdown table: one row per task, then the decaScore."""
    lines = [
        "| task | file | instances | headline | score | metrics |",
        "|---|---|---|---|---|---|",
    ]
    for task, row in result["tasks"].items():
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in sorted(row["metrics"].items()))
        score = "n/a" if row["score"] is None else f"{row['score']:.2f}"
        where = row["file"] if row["part"] == "whole file" else f"{row['file']} ({row['part']})"
        lines.append(
            f"| {task} | {where} | {row['instances']:,} | {row['headline']} | {score} | {metrics} |"
        )
    lines.append(f"\ndecaScore {result['decaScore']:.2f} over {result['tasks_in_decaScore']}")
    if result["tasks_not_scored"]:
        lines.append(f"not scored (no file given): {result['tasks_not_scored']}")
    return "\n".join(lines)
