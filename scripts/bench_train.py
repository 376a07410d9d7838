#!/usr/bin/env python
"""Training speed of a config: abstracts/s, tokens/s, model FLOPs per batch and MFU.

    python scripts/bench_train.py training_configs/mesh_mqan.jsonnet --batches 10 --runs 3

Everything is built from the config the way `allennlp train` builds it (reader, vocabulary,
data loader, model, optimizer, gradient clipping), so a changed config is measured as it
is. The first ``--warmup + --batches`` batches are read once, then each run trains on the
same ``--batches`` of them (forward, backward, clipping, optimizer step). Before each run a
2048 x 2048 fp32 ``torch.mm`` is timed on the same threads: MFU is the run's model FLOP/s
over that rate, a ratio that stays meaningful on a loaded machine ("cpu s": process CPU
time, which with ``--threads 1`` is the idle-machine wall time). Model FLOPs: see
``multitask.perf.flops`` (the counter plus analytic counts for fused LSTM kernels).

Prints a table (one row per run, then the median) and writes JSON (``--output``).
Reuse a vocabulary to skip the pass over the training file:
``-o '{"vocabulary": {"type": "from_files", "directory": "runs/mesh_mqan/vocabulary"}}'``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from itertools import islice
from pathlib import Path
from typing import Any

import torch
from allennlp.commands.train import TrainModel
from allennlp.common import Params
from allennlp.common.plugins import import_plugins
from allennlp.common.util import prepare_environment
from allennlp.data import DatasetReader
from allennlp.nn import util

from multitask.perf.flops import ModelFlopCounter
from multitask.perf.measure import (
    matmul_flops_per_second,
    median,
    peak_rss_mb,
    print_table,
    timed,
    timed_wall_and_cpu,
)

DEFAULT_CONFIG = "training_configs/mesh_mqan.jsonnet"
TEXT_FIELDS = ("context", "question", "answer")
COLUMNS = [
    "run",
    "seconds",
    "abstracts/s",
    "tokens/s",
    "GFLOP/s",
    "peak GFLOP/s",
    "MFU",
    "cpu s",
    "abstracts/cpu-s",
]


def build(config: str, overrides: str, serialization_dir: str) -> tuple[TrainModel, Params]:
    """The objects `allennlp train` would train with, and the config they came from."""
    params = Params.from_file(config, overrides)
    params.pop("distributed", None)  # one process: the benchmark measures a single worker
    params.pop("include_in_archive", None)  # read by `allennlp train`, not by TrainModel
    prepare_environment(params)
    original = params.duplicate()
    train_model = TrainModel.from_params(
        params=params, serialization_dir=serialization_dir, local_rank=0
    )
    return train_model, original


def reading_rate(params: Params, instances: int) -> float:
    """Instances per second that one process reads and builds from the training file with
    the config's reader (parsing, tokenization, fields): the rate data loading must match.
    """
    reader = DatasetReader.from_params(params.get("dataset_reader").duplicate())
    path = params.get("train_data_path")
    path = path.as_dict() if isinstance(path, Params) else path
    read = iter(reader.read(path))
    next(read)  # the first instance pays for one-off set-up (label frequencies, vocabularies)
    seconds = timed(lambda: sum(1 for _ in islice(read, instances)))
    return instances / seconds


def batch_size_and_tokens(batch: dict[str, Any]) -> tuple[int, int]:
    """Abstracts (rows) and non-padding tokens over context, question and answer."""
    tokens = sum(
        int(util.get_text_field_mask(batch[name]).sum()) for name in TEXT_FIELDS if name in batch
    )
    return len(batch["metadata"]), tokens


def train_step(trainer, batch: dict[str, Any]) -> float:
    """One step as GradientDescentTrainer takes it (no gradient accumulation)."""
    trainer.optimizer.zero_grad()
    loss = trainer.batch_outputs(batch, for_training=True)["loss"]
    loss.backward()
    trainer.rescale_gradients()
    trainer.optimizer.step()
    return float(loss)


def count_flops(model: torch.nn.Module, batch: dict[str, Any]) -> ModelFlopCounter:
    """Forward + backward FLOPs of one training batch (the parameters are not updated)."""
    model.zero_grad()
    with ModelFlopCounter(model) as counter:
        model(**batch)["loss"].backward()
    model.zero_grad()
    return counter


def profile(trainer, batch: dict[str, Any], rows: int = 15) -> None:
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        train_step(trainer, batch)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows))


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
    if args.runs < 1 or args.batches < 1:
        parser.error("--runs and --batches must be at least 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import_plugins()
    if args.threads:
        torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory(prefix="bench_train_") as serialization_dir:
        train_model, params = build(args.config, args.overrides, serialization_dir)
        trainer = train_model.trainer
        model = train_model.model
        batches = []
        for batch in trainer.data_loader:
            batches.append(batch)
            if len(batches) == args.warmup + args.batches:
                break
        if len(batches) < args.warmup + args.batches:
            parser.error(f"the training data gives only {len(batches)} batches")
        warmup, timed_batches = batches[: args.warmup], batches[args.warmup :]
        sizes = [batch_size_and_tokens(b) for b in timed_batches]
        abstracts = sum(rows for rows, _ in sizes)
        tokens = sum(count for _, count in sizes)

        model.train()
        counters = [count_flops(model, b) for b in timed_batches]
        flops = sum(c.total for c in counters)
        recurrent = sum(c.recurrent_flops for c in counters)

        for batch in warmup:
            train_step(trainer, batch)
        if args.profile:
            profile(trainer, timed_batches[0])
        runs = []
        for run in range(args.runs):
            peak = matmul_flops_per_second()
            seconds, cpu = timed_wall_and_cpu(
                lambda: [train_step(trainer, b) for b in timed_batches]
            )
            runs.append(
                {
                    "run": str(run + 1),
                    "seconds": seconds,
                    "abstracts/s": abstracts / seconds,
                    "tokens/s": tokens / seconds,
                    "GFLOP/s": flops / seconds / 1e9,
                    "peak GFLOP/s": peak / 1e9,
                    "MFU": flops / seconds / peak,
                    "cpu s": cpu,
                    "abstracts/cpu-s": abstracts / cpu,
                }
            )
    read_rate = reading_rate(params, args.reader_instances) if args.reader_instances else None
    summary: dict[str, Any] = {"run": "median"}
    for key in COLUMNS[1:]:
        summary[key] = median([r[key] for r in runs])
    print(
        f"{args.config}: {args.batches} batches ({abstracts} abstracts, {tokens:,} tokens), "
        f"{torch.get_num_threads()} threads; model FLOPs per batch "
        f"{flops / args.batches / 1e9:.2f} G ({100 * recurrent / flops:.0f}% in fused LSTMs, "
        "counted analytically)"
    )
    print_table([*runs, summary], COLUMNS)
    if read_rate is not None:
        print(f"reader: {read_rate:,.0f} instances/s in one process ({args.reader_instances} read)")
    result = {
        "config": args.config,
        "overrides": args.overrides,
        "threads": torch.get_num_threads(),
        "batches": args.batches,
        "abstracts": abstracts,
        "tokens": tokens,
        "flops_per_batch": flops / args.batches,
        "recurrent_flops_per_batch": recurrent / args.batches,
        "runs": runs,
        "median": summary,
        "peak_rss_mb": peak_rss_mb(),
        "reader_instances_per_second": read_rate,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
