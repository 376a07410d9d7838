"""A BioASQ Task A submission from a trained archive and a BioASQ test set.

The test set may be BioASQ's ``{"documents": [...]}`` file, a BioASQ training-layout file,
or any format of the data layer; the output is
``{"documents": [{"labels": [UIs], "pmid": ...}]}``. BioASQ expects every PMID of its test
set, so every record with a PMID gets an entry, in input order: one whose title and abstract
are both empty gets ``"labels": []``. The paths are checked before the model is loaded (a
typo should not cost a model load and a prediction run), and the file is written whole or
not at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from allennlp.predictors import Predictor
from tqdm import tqdm

from multitask.data.read_stats import ReadStats
from multitask.errors import UserInputError
from tasks.pubmed.article import Article
from tasks.pubmed.corpus import read_articles
from tasks.pubmed.prediction_inputs import article_fields


@dataclass
class SubmissionSummary:
    output: Path
    documents: int = 0
    without_text: int = 0  # submitted with no labels: empty title and abstract
    stats: ReadStats = field(default_factory=ReadStats)

    def render(self) -> str:
        lines = [self.stats.summary()]
        if self.without_text:
            lines.append(
                f"{self.without_text} document(s) with empty title and abstract: submitted "
                "with no labels"
            )
        lines.append(f"{self.documents} documents -> {self.output}")
        return "\n".join(lines)


def _pmid(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def check_paths(archive: Path, test_file: Path, output: Path) -> None:
    """Fail before the model is loaded and anything predicted, not after."""
    for name, path in (("archive", archive), ("test file", test_file)):
        if "://" not in str(path) and not path.is_file():
            raise UserInputError(f"{name} {path}: no such file")
    if output.is_dir():
        raise UserInputError(f"--output {output} is a folder: name the submission file")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UserInputError(f"--output {output}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        raise UserInputError(f"--output {output}: not writable")


def submission_documents(
    predictor: Predictor, articles: Iterable[Article], batch_size: int, summary: SubmissionSummary
) -> Iterator[dict[str, Any]]:
    """One ``{"labels", "pmid"}`` entry per article, in input order, predicted in batches."""
    batch: list[dict[str, str]] = []

    def flush() -> Iterator[dict[str, Any]]:
        for output in predictor.predict_batch_json(batch):
            summary.without_text += "reason" in output
            yield {
                "labels": [label["ui"] for label in output["labels"]],
                "pmid": _pmid(output["pmid"]),
            }
        batch.clear()

    for article in articles:
        batch.append(article_fields(article))
        if len(batch) == batch_size:
            yield from flush()
    if batch:
        yield from flush()


def write_submission(
    archive: Path,
    test_file: Path,
    output: Path,
    batch_size: int = 256,
    cuda_device: int = -1,
    threads: int | None = None,
) -> SubmissionSummary:
    """Predict every article of ``test_file`` with the archive's ``mesh_indexer`` predictor
    and write the submission to ``output``."""
    check_paths(archive, test_file, output)
    if threads:
        torch.set_num_threads(threads)
    predictor = Predictor.from_path(archive, predictor_name="mesh_indexer", cuda_device=cuda_device)
    summary = SubmissionSummary(output)
    # every record with a PMID is answered: BioASQ expects each one (empty text: no labels)
    articles = read_articles(
        test_file,
        stats=summary.stats,
        require_mesh=False,
        require_abstract=False,
        require_text=False,
    )
    progress = tqdm(articles, desc="predicting", unit=" docs")
    documents = list(submission_documents(predictor, progress, batch_size, summary))
    summary.documents = len(documents)
    part = output.with_name(output.name + ".part")
    part.write_text(json.dumps({"documents": documents}) + "\n")
    part.replace(output)
    return summary
