#!/usr/bin/env python
"""Training speed of a config: abstracts/s, tokens/s, model FLOPs per batch and MFU.

    python scripts/benchmarks/bench_train.py training_configs/mesh_mqan.jsonnet --runs 3

What is measured and how: ``multitask.perf.training``. Prints a table (one row per run, then
the median) and writes JSON (``--output``). Reuse a vocabulary to skip the pass over the
training file:
``-o '{"vocabulary": {"type": "from_files", "directory": "runs/mesh_mqan/vocabulary"}}'``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import torch
from allennlp.common.plugins import import_plugins

from multitask.errors import UserInputError
from multitask.perf.training import benchmark_training, print_report

DEFAULT_CONFIG = "training_configs/mesh_mqan.jsonnet"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config", nargs="?", default=DEFAULT_CONFIG)
    parser.add_argument("-o", "--overrides", default="", help="JSON overrides, as for allennlp")
    parser.add_argument("--batches", type=int, default=10, help="timed batches per run")
    parser.add_argument("--warmup", type=int, default=2, help="untimed batches before run 1")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--profile", action="store_true", help="print a torch.profiler table")
    parser.add_argument(
        "--reader-instances",
        type=int,
        default=500,
        help="instances to time the config's reader on (0: skip)",
    )
    parser.add_argument("--output", type=Path, default=Path("runs/bench_train.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import_plugins()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        result = benchmark_training(
            args.config,
            args.overrides,
            args.batches,
            args.warmup,
            args.runs,
            args.profile,
            args.reader_instances,
        )
    except UserInputError as error:
        parser.error(str(error))
    print_report(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
