"""`allennlp evaluate-tasks`: every task of a (multi-task) archive on its own held-out file.

`allennlp evaluate` reads one file with one reader; this command gives each task its own
file, read by that task's reader from the archive (library: ``multitask.evaluation``).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

DESCRIPTION = """Score every task of a (multi-task) archive on its own held-out file.

Each TASK=FILE pair is read with that task's reader from the archive and scored by the model;
the output has per-task metrics, each task's headline score (100 x its headline metric) and
the decaScore (their sum). Tasks that trained on the `train` part of a single file
(`split_part`, e.g. the NLI and SQuAD dev-set copies in ../shared/data) are scored on the
`held_out` part of the file you give. Prints a markdown table; writes JSON (--output-file)."""

EXAMPLES = """example:
  allennlp evaluate-tasks runs/mesh_title/model.tar.gz \\
      mesh_indexing=data/corpus/test.json title_generation=data/corpus/all/test.json \\
      --output-file runs/mesh_title/held_out_metrics.json"""


@Subcommand.register("evaluate-tasks")
class EvaluateTasks(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Score every task of an archive on its own held-out file (decaScore).",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument("archive", help="model.tar.gz")
        subparser.add_argument(
            "files", nargs="+", metavar="TASK=FILE", help="held-out file per task"
        )
        subparser.add_argument("--output-file", type=Path, default=None)
        subparser.add_argument("--batch-size", type=int, default=32)
        subparser.add_argument("--cuda-device", type=int, default=-1)
        subparser.add_argument(
            "-o", "--overrides", default="", help="JSON overrides of the archive"
        )
        subparser.add_argument(
            "--max-instances",
            type=int,
            default=None,
            help="score at most this many instances per task (default: every one; a cap the "
            "archive's validation reader had is not applied)",
        )
        subparser.set_defaults(func=run)
        return subparser


def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from multitask.evaluation import check_task_files, evaluate_tasks, parse_task_files, render

    files = parse_task_files(args.files)
    check_task_files(files)
    result = evaluate_tasks(
        args.archive,
        files,
        args.batch_size,
        args.cuda_device,
        args.overrides,
        args.max_instances,
    )
    print(render(result))
    if args.output_file is not None:
        args.output_file.parent.mkdir(parents=True, exist_ok=True)
        args.output_file.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written: {args.output_file}")
