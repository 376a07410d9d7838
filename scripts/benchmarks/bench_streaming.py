#!/usr/bin/env python
"""Peak RSS of `allennlp train` on training files of growing size: flat when streaming.

    python scripts/benchmarks/bench_streaming.py --sizes 10000 100000 --max-instances-in-memory 1024

Synthesizes training files of ``--sizes`` articles by repeating the default corpus's
training split (new PMIDs for the repeats), then trains one epoch of a small model on each
with ``data_loader.max_instances_in_memory`` set (AllenNLP's loader then keeps only that
many instances; the readers stream the file) and reports the training process's peak RSS.
``--contrast`` adds a run on the smallest file without the cap, where AllenNLP caches every
instance: the difference is what each cached instance costs. Each size/setting is run
``--runs`` times (median); library: ``tasks.mesh_indexing.streaming_bench``. Prints a table
and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from multitask.perf.measure import print_table
from tasks.mesh_indexing.streaming_bench import measure_streaming

DEFAULT_CONFIG = "training_configs/mesh_mqan.jsonnet"
COLUMNS = ["articles", "file MiB", "loader", "peak RSS MiB", "runs"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument("--source", default="data/corpus/train.json")
    parser.add_argument("--validation", default="data/corpus/validation.json")
    parser.add_argument("--validation-articles", type=int, default=64)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--max-instances-in-memory", type=int, default=1024)
    parser.add_argument(
        "--contrast", action="store_true", help="also run the smallest size without the cap"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads of the training runs"
    )
    parser.add_argument("--output", type=Path, default=Path("runs/bench_streaming.json"))
    args = parser.parse_args(argv)
    rows = measure_streaming(
        args.config,
        args.source,
        args.validation,
        args.sizes,
        args.max_instances_in_memory,
        args.validation_articles,
        args.contrast,
        args.runs,
        args.threads,
        on_row=lambda row: print_table([row], COLUMNS),
    )
    print()
    print_table(rows, COLUMNS)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"config": args.config, "rows": rows}, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
