#!/usr/bin/env python
"""Prediction speed of a trained MeSH archive: batched abstracts/s (greedy and beam),
single-abstract latency p50/p95, peak RSS.

    python scripts/benchmarks/bench_predict.py runs/mesh_mqan/model.tar.gz --abstracts 256

Abstracts come from a corpus file (default: the test split of the default corpus) and go
through the ``mesh_indexer`` predictor; what is measured and how: ``multitask.perf.prediction``
(the predictor runs the model on batches of 32 abstracts of similar length, so
``--batch-sizes`` above 32 save padding). Prints a table and writes JSON (``--output``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import torch
from allennlp.common.plugins import import_plugins

from multitask.perf.prediction import benchmark_prediction, print_report
from tasks.pubmed.prediction_inputs import first_article_fields

DEFAULT_INPUT = "data/corpus/test.json"


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
    abstracts = first_article_fields(args.input, args.abstracts)
    if not abstracts:
        parser.error(f"no abstracts in {args.input}")
    result = benchmark_prediction(
        args.archive,
        "mesh_indexer",
        abstracts,
        args.batch_sizes,
        args.beam_sizes,
        args.latency_samples,
        args.runs,
        args.overrides,
    )
    result["input"] = args.input
    print_report(result, args.input)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
