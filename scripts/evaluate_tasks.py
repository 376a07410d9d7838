#!/usr/bin/env python
"""Score every task of a (multi-task) archive on its own held-out file.

    python scripts/evaluate_tasks.py runs/mesh_title/model.tar.gz \
        mesh_indexing=data/corpus/test.json title_generation=data/corpus/all/test.json \
        --output-file runs/mesh_title/held_out_metrics.json

Each TASK=FILE pair is read with that task's reader from the archive and scored by the
model; the output has per-task metrics, each task's headline score (100 x its headline
metric) and the decaScore (their sum). Tasks that trained on the ``train`` part of a single
file (``split_part``, e.g. the NLI and SQuAD dev-set copies in ../shared/data) are scored
on the ``held_out`` part of the file you give. Prints a markdown table; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from allennlp.common.plugins import import_plugins

from multitask.errors import UserInputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive", help="model.tar.gz")
    parser.add_argument("files", nargs="+", metavar="TASK=FILE", help="held-out file per task")
    parser.add_argument("--output-file", type=Path, default=None)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cuda-device", type=int, default=-1)
    parser.add_argument("-o", "--overrides", default="", help="JSON overrides of the archive")
    parser.add_argument(
        "--max-instances",
        type=int,
        default=None,
        help="score at most this many instances per task (default: every one; a cap the "
        "archive's validation reader had is not applied)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import_plugins()
    from multitask.evaluation import evaluate_tasks, parse_task_files, render

    try:
        files = parse_task_files(args.files)
        for task, path in files.items():
            if not Path(path).exists():
                raise UserInputError(f"{task}: no such file {path}")
        result = evaluate_tasks(
            args.archive,
            files,
            args.batch_size,
            args.cuda_device,
            args.overrides,
            args.max_instances,
        )
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(render(result))
    if args.output_file is not None:
        args.output_file.parent.mkdir(parents=True, exist_ok=True)
        args.output_file.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written: {args.output_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
