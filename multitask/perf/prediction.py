"""Prediction speed of a trained archive: batched inputs/s (greedy and beam), single-input
latency p50/p95, peak RSS.

Inputs go through the named predictor exactly as `allennlp predict --batch-size N` sends them
(``predict_batch_json``); latency is one ``predict_json`` call per input, as `allennlp
predict` makes at its default batch size 1. Every figure is the median of several runs;
before each run a 2048 x 2048 fp32 ``torch.mm`` is timed on the same threads (``peak
GFLOP/s``), so runs on a busy machine can be compared by that ratio. Start-up (loading the
archive, the first prediction's one-off set-up) is timed separately. CPU-second columns
("cpu-s", "cpu-ms") are process CPU time: with one thread they are what the wall time would
be on an idle machine (see ``multitask.perf.measure``). Rows say "abstracts": the inputs of
the MeSH benchmark this was written for.
"""

from __future__ import annotations

import time
from typing import Any

import torch
from allennlp.common.util import JsonDict
from allennlp.predictors import Predictor

from multitask.perf.measure import (
    matmul_flops_per_second,
    median,
    peak_rss_mb,
    percentile,
    print_table,
    timed_wall_and_cpu,
)

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


def predict_all(predictor: Predictor, inputs: list[JsonDict], batch_size: int) -> list[Any]:
    outputs = []
    for start in range(0, len(inputs), batch_size):
        outputs.extend(predictor.predict_batch_json(inputs[start : start + batch_size]))
    return outputs


def throughput_rows(
    predictor: Predictor, inputs: list[JsonDict], batch_size: int, beam: int, runs: int
) -> list[dict[str, Any]]:
    predictor._model.beam_size = beam
    predict_all(predictor, inputs[:batch_size], batch_size)  # warm-up
    rows = []
    for run in range(runs):
        peak = matmul_flops_per_second()
        seconds, cpu = timed_wall_and_cpu(lambda: predict_all(predictor, inputs, batch_size))
        rows.append(
            {
                "mode": f"batch {batch_size}, beam {beam}",
                "run": str(run + 1),
                "abstracts/s": len(inputs) / seconds,
                "abstracts/cpu-s": len(inputs) / cpu,
                "peak GFLOP/s": peak / 1e9,
            }
        )
    return rows


def latency_rows(
    predictor: Predictor, inputs: list[JsonDict], samples: int, runs: int
) -> list[dict[str, Any]]:
    predictor._model.beam_size = 1
    predictor.predict_json(inputs[0])  # warm-up
    rows = []
    for run in range(runs):
        peak = matmul_flops_per_second()
        timings = [
            timed_wall_and_cpu(lambda one=one: predictor.predict_json(one))
            for one in inputs[:samples]
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


def benchmark_prediction(
    archive: str,
    predictor_name: str,
    inputs: list[JsonDict],
    batch_sizes: list[int],
    beam_sizes: list[int],
    latency_samples: int = 50,
    runs: int = 3,
    overrides: str = "",
) -> dict[str, Any]:
    """Throughput for every beam size x batch size, then single-input latency."""
    started = time.perf_counter()
    predictor = Predictor.from_path(archive, predictor_name=predictor_name, overrides=overrides)
    predictor.predict_json(inputs[0])  # one-off set-up (e.g. a label trie), as a first call
    startup = time.perf_counter() - started
    rss_loaded = peak_rss_mb()
    groups = [
        throughput_rows(predictor, inputs, batch_size, beam, runs)
        for beam in beam_sizes
        for batch_size in batch_sizes
    ]
    groups.append(latency_rows(predictor, inputs, latency_samples, runs))
    all_rows: list[dict[str, Any]] = []
    summaries = []
    for rows in groups:
        summaries.append(summarise(rows))
        all_rows.extend([*rows, summaries[-1]])
    return {
        "archive": archive,
        "abstracts": len(inputs),
        "threads": torch.get_num_threads(),
        "startup_seconds": startup,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_loading_mb": rss_loaded,
        "runs": all_rows,
        "medians": summaries,
    }


def print_report(result: dict[str, Any], source: str) -> None:
    """A heading (inputs from ``source``, start-up, memory) and every run's row."""
    print(
        f"{result['archive']}: {result['abstracts']} abstracts from {source}, "
        f"{result['threads']} threads; start-up {result['startup_seconds']:.1f} s; "
        f"peak RSS {result['peak_rss_mb']:.0f} MiB "
        f"({result['rss_after_loading_mb']:.0f} MiB after loading)"
    )
    print_table(result["runs"], COLUMNS)
