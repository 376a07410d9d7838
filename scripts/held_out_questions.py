#!/usr/bin/env python
"""Write held-out questions of every task as `multitask_qa` predictor input (jsonl).

    python scripts/held_out_questions.py runs/mesh_title/model.tar.gz \
        mesh_indexing=data/corpus/test.json title_generation=data/corpus/all/test.json \
        --per-task 5 --output runs/mesh_title/questions.jsonl
    allennlp predict runs/mesh_title/model.tar.gz runs/mesh_title/questions.jsonl \
        --predictor multitask_qa --output-file runs/mesh_title/answers.jsonl --silent

Each line carries what the task's predictor input needs (``context`` and ``question``, or
the raw fields of a task that builds its own question: MeSH's ``pmid``, ``title``,
``abstractText``) and the ``gold`` answer to compare with. Questions come from the task's
reader in the archive, so they are worded as in training; a task trained on the ``train``
part of a single file gets questions from its ``held_out`` part.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from allennlp.common.plugins import import_plugins

from multitask.errors import UserInputError


def article_questions(task: str, reader: Any, path: str) -> Iterator[dict[str, Any]]:
    """Article tasks: the raw fields the reader builds its question from, and the gold."""
    from multitask.data.corpus import ReadStats, read_articles
    from tasks.title_generation import TitleGenerationReader, clean_title

    titles = isinstance(reader, TitleGenerationReader)
    for article in read_articles(path, stats=ReadStats(), require_mesh=False):
        raw = {"pmid": article.pmid, "title": article.title, "abstractText": article.abstract}
        gold = clean_title(article.title) if titles else list(article.mesh_names)
        yield {"task": task, **{name: raw[name] for name in reader.prediction_fields}, "gold": gold}


def reader_questions(task: str, reader: Any, path: str) -> Iterator[dict[str, Any]]:
    for example in reader.examples_in_part(path):
        yield {
            "task": task,
            "context": example.context,
            "question": example.question,
            "gold": example.gold,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive")
    parser.add_argument("files", nargs="+", metavar="TASK=FILE")
    parser.add_argument("--per-task", type=int, default=5)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    import_plugins()
    from allennlp.models.archival import load_archive

    from multitask.evaluation import parse_task_files, use_held_out_part
    from multitask.predictors.task_reader import task_reader

    try:
        files = parse_task_files(args.files)
        archive = load_archive(args.archive)
        lines = []
        for task, path in files.items():
            if not Path(path).exists():
                raise UserInputError(f"{task}: no such file {path}")
            reader = task_reader(archive.validation_dataset_reader, task)
            part = use_held_out_part(reader)
            own_question = bool(getattr(reader, "prediction_fields", ()))
            make = article_questions if own_question else reader_questions
            rows = make(task, reader, path)
            taken = list(islice(rows, args.per_task))
            print(f"{task}: {len(taken)} questions from {path} ({part})")
            lines.extend(taken)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("".join(json.dumps(line) + "\n" for line in lines))
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
