#!/usr/bin/env python
"""Prediction speed of a trained MeSH archive: batched abstracts/s (greedy and beam),
single-abstract latency p50/p95, peak RSS.

    python scripts/bench_predict.py runs/mesh_mqan/model.tar.gz --abstracts 256 --runs 3

Abstracts come from a BioASQ-layout file (default: the test split of the default corpus)
and go through the ``mesh_indexer`` predictor exactly as `allennlp predict --batch-size N`
sends them (``predict_batch_json``; the predictor runs the model on batches of 32 abstracts
of similar length, so N above 32 saves padding); latency is one ``predict_json`` call per
abstract, as `allennlp predict` makes at its default batch size 1. Every figure is the median of
``--runs`` runs; before each run a 2048 x 2048 fp32 ``torch.mm`` is timed on the same
threads (``peak GFLOP/s``), so runs on a busy machine can be compared by that ratio.
Start-up (loading the archive, building the label trie) is timed separately. CPU-second
columns ("cpu-s", "cpu-ms") are process CPU time: with ``--threads 1`` they are what the
wall time would be on an idle machine (see ``multitask.perf.measure``).

Prints a table and writes JSON (``--output``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import torch
from allennlp.common.plugins import import_plugins
from allennlp.predictors import Predictor

from multitask.data.corpus import ReadStats, read_articles
from multitask.perf.measure import (
    matmul_flops_per_second,
    median,
    peak_rss_mb,
    percentile,
    print_table,
    timed_wall_and_cpu,
)

DEFAULT_INPUT = "data/corpus/test.json"
COLUMNS = [
    "mode",
    "run",
    "abstracts/s",
    "p50 ms",
    "p95 ms",
    "abstracts/cpu-s",
    "p50 cpu-ms",
    "p95 cpu-ms",
    "peak GFLOP/s",
]


def load_abstracts(path: str, count: int) -> list[dict[str, str]]:
    abstracts = []
    for article in read_articles(path, stats=ReadStats(), require_mesh=False):
        abstracts.append(
            {"pmid": article.pmid, "title": article.title, "abstractText": article.abstract}
        )
        if len(abstracts) == count:
            break
    if not abstracts:
        raise SystemExit(f"no abstracts in {path}")
    return abstracts


def predict_all(predictor: Predictor, abstracts: list[dict], batch_size: int) -> list[Any]:
    outputs = []
    for start in range(0, len(abstracts), batch_size):
        outputs.extend(predictor.predict_batch_json(abstracts[start : start + batch_size]))
    return outputs


def throughput_rows(
    predictor: Predictor, abstracts: list[dict], batch_size: int, beam: int, runs: int
) -> list[dict[str, Any]]:
    predictor._model.beam_size = beam
    predict_all(predictor, abstracts[:batch_size], batch_size)  # warm-up
    rows = []
    for run in range(runs):
        peak = matmul_flops_per_second()
        seconds, cpu = timed_wall_and_cpu(lambda: predict_all(predictor, abstracts, batch_size))
        rows.append(
            {
                "mode": f"batch {batch_size}, beam {beam}",
                "run": str(run + 1),
                "abstracts/s": len(abstracts) / seconds,
                "abstracts/cpu-s": len(abstracts) / cpu,
                "peak GFLOP/s": peak / 1e9,
            }
        )
    return rows


def latency_rows(
    predictor: Predictor, abstracts: list[dict], samples: int, runs: int
) -> list[dict[str, Any]]:
    predictor._model.beam_size = 1
    predictor.predict_json(abstracts[0])  # warm-up
    rows = []
    for run in range(runs):
        peak = matmul_flops_per_second()
        timings = [
            timed_wall_and_cpu(lambda a=abstract: predictor.predict_json(a))
            for abstract in abstracts[:samples]
        ]
        latencies = [1000.0 * wall for wall, _ in timings]
        cpu_latencies = [1000.0 * cpu for _, cpu in timings]
        rows.append(
            {
                "mode": "single abstract, beam 1",
                "run": str(run + 1),
                "abstracts/s": 1000.0 * len(latencies) / sum(latencies),
                "p50 ms": percentile(latencies, 50),
                "p95 ms": percentile(latencies, 95),
                "p50 cpu-ms": percentile(cpu_latencies, 50),
                "p95 cpu-ms": percentile(cpu_latencies, 95),
                "abstracts/cpu-s": 1000.0 * len(cpu_latencies) / sum(cpu_latencies),
                "peak GFLOP/s": peak / 1e9,
            }
        )
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"mode": rows[0]["mode"], "run": "median"}
    for key in COLUMNS[2:]:
        if key in rows[0]:
            summary[key] = median([row[key] for row in rows])
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive")
    parser.add_argument("input", nargs="?", default=DEFAULT_INPUT)
    parser.add_argument("--abstracts", type=int, default=256, help="abstracts per batched run")
    parser.add_argument(
        "--batch-sizes",
        type=int,
        nargs="+",
        default=[32, 256],
        help="abstracts per predict_batch_json call (`allennlp predict --batch-size`)",
    )
    parser.add_argument("--beam-sizes", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--latency-samples", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("-o", "--overrides", default="", help="JSON overrides for the archive")
    parser.add_argument("--output", type=Path, default=Path("runs/bench_predict.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import_plugins()
    if args.threads:
        torch.set_num_threads(args.threads)

    abstracts = load_abstracts(args.input, args.abstracts)
    started = time.perf_counter()
    predictor = Predictor.from_path(
        args.archive, predictor_name="mesh_indexer", overrides=args.overrides
    )
    predictor.predict_json(abstracts[0])  # builds the label trie, as the first call would
    startup = time.perf_counter() - started
    rss_loaded = peak_rss_mb()

    all_rows: list[dict[str, Any]] = []
    summaries = []
    groups = [
        throughput_rows(predictor, abstracts, batch_size, beam, args.runs)
        for beam in args.beam_sizes
        for batch_size in args.batch_sizes
    ]
    groups.append(latency_rows(predictor, abstracts, args.latency_samples, args.runs))
    for rows in groups:
        summaries.append(summarise(rows))
        all_rows.extend([*rows, summaries[-1]])

    print(
        f"{args.archive}: {len(abstracts)} abstracts from {args.input}, "
        f"{torch.get_num_threads()} threads; start-up {startup:.1f} s; "
        f"peak RSS {peak_rss_mb():.0f} MiB ({rss_loaded:.0f} MiB after loading)"
    )
    print_table(all_rows, COLUMNS)
    result = {
        "archive": args.archive,
        "input": args.input,
        "abstracts": len(abstracts),
        "threads": torch.get_num_threads(),
        "startup_seconds": startup,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_loading_mb": rss_loaded,
        "runs": all_rows,
        "medians": summaries,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
