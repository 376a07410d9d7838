#!/usr/bin/env python
"""The MeSH service under load: `allennlp serve-mesh` on loopback, clients sending one
abstract per request at each concurrency, beside `allennlp predict`'s batched rate on the
same archive and abstracts, measured in the same run.

    python scripts/benchmarks/bench_serve.py runs/mesh_mqan/model.tar.gz

Per concurrency: throughput, its ratio to the batched rate, p50/p95/p99 latency, errors;
then the server's RSS before and after the load and its exit status after SIGTERM. Goals
(issue "MeSH indexing as a service"): at concurrency 32, >= 0.8 x the batched rate, p95 under
1 s, no errors, RSS growth under 10 %. How it measures: ``tasks.mesh_indexing.service.load_test``.
Prints a table and writes JSON (``--output``); stops by itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from allennlp.common.plugins import import_plugins

from multitask.perf.measure import print_table
from tasks.mesh_indexing.service.load_test import ServerProcess, batched_rate, load_level
from tasks.pubmed.article import article_text
from tasks.pubmed.corpus import read_articles
from tasks.pubmed.prediction_inputs import article_fields

COLUMNS = [
    "concurrency", "requests", "abstracts/s", "x batched", "p50 ms", "p95 ms", "p99 ms", "errors",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive")
    parser.add_argument("input", nargs="?", default="data/corpus/test.json")
    parser.add_argument("--abstracts", type=int, default=256, help="distinct abstracts sent")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 128])
    parser.add_argument("--requests", type=int, default=512, help="requests per concurrency")
    parser.add_argument("--batch-size", type=int, default=256, help="the batched reference's")
    parser.add_argument("--max-batch-size", type=int, default=32, help="the server's")
    parser.add_argument("--max-wait-ms", type=float, default=10.0, help="the server's")
    parser.add_argument("--runs", type=int, default=3, help="passes of the batched reference")
    parser.add_argument("--threads", type=int, default=None, help="torch threads, both sides")
    parser.add_argument("--output", type=Path, default=Path("runs/bench_serve.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import_plugins()

    articles = list(read_articles(args.input, require_mesh=False, on_error="skip"))
    articles = articles[: args.abstracts]
    if not articles:
        parser.error(f"no abstracts in {args.input}")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    print(f"batched reference: {len(articles)} abstracts, batch {args.batch_size} ...")
    reference = batched_rate(
        args.archive, [article_fields(a) for a in articles], args.batch_size, args.runs
    )
    texts = [article_text(a) for a in articles]

    server = ServerProcess(
        args.archive,
        args.threads,
        args.max_batch_size,
        args.max_wait_ms,
        args.output.with_suffix(".server.log"),
    )
    try:
        ready_seconds = server.wait_until_ready()
        load_level(server.port, texts, 4, 16)  # warm-up: connections, first batches
        rss_before = server.rss_mb()
        levels = []
        for concurrency in args.concurrency:
            print(f"concurrency {concurrency}: {args.requests} requests ...")
            levels.append(load_level(server.port, texts, concurrency, args.requests))
        rss_after = server.rss_mb()
    finally:
        exit_status = server.stop()

    rows = [level.row(reference["abstracts/s"]) for level in levels]
    rows.append(
        {"concurrency": f"batched {args.batch_size}", "abstracts/s": reference["abstracts/s"]}
    )
    print(
        f"\n{args.archive}: {len(texts)} abstracts from {args.input}; server max batch "
        f"{args.max_batch_size}, max wait {args.max_wait_ms:g} ms, threads "
        f"{args.threads or 'default'}; ready in {ready_seconds:.1f} s"
    )
    print_table(rows, COLUMNS)
    growth = 100.0 * (rss_after - rss_before) / rss_before
    print(
        f"server RSS {rss_before:,.0f} MiB before the load, {rss_after:,.0f} MiB after "
        f"({growth:+.1f} %); exit status after SIGTERM: {exit_status}"
    )
    result = {
        "archive": args.archive,
        "input": args.input,
        "abstracts": len(texts),
        "max_batch_size": args.max_batch_size,
        "max_wait_ms": args.max_wait_ms,
        "threads": args.threads,
        "ready_seconds": ready_seconds,
        "batched": reference,
        "levels": rows[:-1],
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
        "rss_growth_percent": growth,
        "exit_status": exit_status,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0 if exit_status == 0 and not any(level.errors for level in levels) else 1


if __name__ == "__main__":
    sys.exit(main())
