#!/usr/bin/env python
"""Candidate retrieval and training against corpus size: time, memory, disk.

    python scripts/benchmarks/bench_scale.py --sizes 30000 100000 300000 1000000

For each size, synthesizes a training corpus resampled from the default corpus's training
split (headings, journals and titles of real articles, abstracts mixed from articles that
share a heading, a growing long tail of words: `tasks.mesh_indexing.scale_bench`), then, in
child processes: fits the candidate retriever and its out-of-fold lists as the main job's
reader does (time, peak RSS, on-disk size, out-of-fold recall), reads instances with
out-of-fold candidates from the memory-mapped shards and from the same shards loaded into
memory, and runs `allennlp train` of the main config for `--train-batches` batches with
`data_loader.max_instances_in_memory` (peak RSS, abstracts/s), both ways; reads and
training runs `--runs` times, interleaved (medians). `--retriever` replaces the
config's retriever (JSON): the main job's fuses three suggesters and fits in about 13 ms
per article per fold on this machine, which is hours at 1M articles. Prints a table and
writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from multitask.perf.measure import print_table
from tasks.mesh_indexing.scale_bench import measure_scale

COLUMNS = [
    "articles",
    "corpus MiB",
    "build s",
    "full fit s",
    "fold fits s (sum)",
    "fit peak RSS MiB",
    "build peak RSS MiB",
    "workers",
    "out-of-fold MiB",
    "recall",
    "read/s disk",
    "read/s memory",
    "train/s disk",
    "train/s memory",
    "train RSS MiB disk",
    "train RSS MiB memory",
    "runs",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default="training_configs/mesh_mqan.jsonnet")
    parser.add_argument("--source", default="data/corpus/train.json")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[30_000, 100_000, 300_000, 1_000_000]
    )
    parser.add_argument(
        "--retriever",
        type=json.loads,
        default=None,
        help='a suggester as JSON, e.g. \'{"type": "tfidf_omikuji"}\' (default: the config\'s)',
    )
    parser.add_argument("--read-instances", type=int, default=2000)
    parser.add_argument("--train-batches", type=int, default=20)
    parser.add_argument("--max-instances-in-memory", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=None, help="torch threads per process")
    parser.add_argument("--runs", type=int, default=3, help="reads and training runs per size")
    parser.add_argument("--work", type=Path, default=Path("runs/bench_scale"))
    parser.add_argument("--output", type=Path, default=Path("runs/bench_scale.json"))
    args = parser.parse_args(argv)
    rows = measure_scale(
        args.config,
        args.source,
        args.sizes,
        args.work,
        args.retriever,
        args.read_instances,
        args.train_batches,
        args.max_instances_in_memory,
        args.threads,
        args.runs,
        on_row=lambda row: print_table([row], COLUMNS),
    )
    print()
    print_table(rows, COLUMNS)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    record = {"config": args.config, "retriever": args.retriever, "rows": rows}
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
