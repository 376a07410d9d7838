"""`allennlp held-out-questions`: held-out questions of every task as `multitask_qa` input.

Library: ``multitask.held_out_questions`` (where a task that builds its own question from raw
fields plugs in).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

DESCRIPTION = """Write held-out questions of every task as `multitask_qa` predictor input (jsonl).

Each line carries what the task's predictor input needs (`context` and `question`, or the raw
fields of a task that builds its own question: MeSH's `pmid`, `title`, `abstractText`) and
the `gold` answer to compare with. Questions come from the task's reader in the archive, so
they are worded as in training; a task trained on the `train` part of a single file gets
questions from its `held_out` part."""

EXAMPLES = """example:
  allennlp held-out-questions runs/mesh_title/model.tar.gz \\
      mesh_indexing=data/corpus/test.json title_generation=data/corpus/all/test.json \\
      --per-task 5 --output runs/mesh_title/questions.jsonl
  allennlp predict runs/mesh_title/model.tar.gz runs/mesh_title/questions.jsonl \\
      --predictor multitask_qa --output-file runs/mesh_title/answers.jsonl --silent"""


@Subcommand.register("held-out-questions")
class HeldOutQuestions(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Write held-out questions of every task as multitask_qa predictor input.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument("archive", help="model.tar.gz")
        subparser.add_argument(
            "files", nargs="+", metavar="TASK=FILE", help="held-out file per task"
        )
        subparser.add_argument("--per-task", type=int, default=5, help="questions per task")
        subparser.add_argument("--output", type=Path, required=True, help="jsonl file to write")
        subparser.set_defaults(func=run)
        return subparser


def run(args: argparse.Namespace) -> None:
    from multitask.evaluation import parse_task_files
    from multitask.held_out_questions import held_out_questions

    questions = held_out_questions(args.archive, parse_task_files(args.files), args.per_task)
    for one in questions:
        print(f"{one.task}: {len(one.inputs)} questions from {one.file} ({one.part})")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(row) + "\n" for one in questions for row in one.inputs]
    args.output.write_text("".join(lines))
    print(f"written: {args.output}")
