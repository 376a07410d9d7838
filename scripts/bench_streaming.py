#!/usr/bin/env python
"""Peak RSS of `allennlp train` on training files of growing size: flat when streaming.

    python scripts/bench_streaming.py --sizes 10000 100000 --max-instances-in-memory 1024

Synthesizes training files of ``--sizes`` articles by repeating the default corpus's
training split (new PMIDs for the repeats), then trains one epoch of a small model on each
with ``data_loader.max_instances_in_memory`` set (AllenNLP's loader then keeps only that
many instances; the readers stream the file) and reports the training process's peak RSS.
``--contrast`` adds a run on the smallest file without the cap, where AllenNLP caches every
instance: the difference is what each cached instance costs.
Each size/setting is run ``--runs`` times (median). Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from multitask.perf.measure import median, print_table
from multitask.perf.streaming import SMALL_MODEL, synthesize_corpus, train_peak_rss_mb

DEFAULT_CONFIG = "training_configs/mesh_mqan.jsonnet"


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

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_streaming_") as folder:
        work = Path(folder)
        validation = work / "validation.json"
        synthesize_corpus(args.validation, args.validation_articles, validation)
        for size in sorted(args.sizes):
            settings = [("streamed", args.max_instances_in_memory)]
            if args.contrast and size == min(args.sizes):
                settings.append(("cached", None))
            train = work / f"train_{size}.json"
            synthesize_corpus(args.source, size, train)
            megabytes = train.stat().st_size / 2**20
            for name, cap in settings:
                overrides = dict(SMALL_MODEL)
                if cap is not None:
                    overrides["data_loader.max_instances_in_memory"] = cap
                peaks = []
                for run in range(args.runs):
                    run_dir = work / f"run_{size}_{name}_{run}"
                    peaks.append(
                        train_peak_rss_mb(
                            args.config, train, validation, run_dir, overrides, args.threads
                        )
                    )
                rows.append(
                    {
                        "articles": size,
                        "file MiB": megabytes,
                        "loader": name if cap is None else f"{name} (cap {cap})",
                        "peak RSS MiB": median(peaks),
                        "runs": len(peaks),
                    }
                )
                print_table(rows[-1:], list(rows[-1]))
    print()
    print_table(rows, ["articles", "file MiB", "loader", "peak RSS MiB", "runs"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"config": args.config, "rows": rows}, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
