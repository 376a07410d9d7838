"""Training speed of a config: abstracts/s, tokens/s, model FLOPs per batch and MFU.

Everything is built from the config the way `allennlp train` builds it (reader, vocabulary,
data loader, model, optimizer, gradient clipping), so a changed config is measured as it
is. The first ``warmup + batches`` batches are read once, then each run trains on the same
``batches`` of them (forward, backward, clipping, optimizer step). Before each run a
2048 x 2048 fp32 ``torch.mm`` is timed on the same threads: MFU is the run's model FLOP/s
over that rate, a ratio that stays meaningful on a loaded machine ("cpu s": process CPU
time, which with one thread is the idle-machine wall time). Model FLOPs: see
``multitask.perf.flops`` (the counter plus analytic counts for fused LSTM kernels).
"""

from __future__ import annotations

import tempfile
from itertools import islice
from typing import Any

import torch
from allennlp.commands.train import TrainModel
from allennlp.common import Params
from allennlp.common.util import prepare_environment
from allennlp.data import DatasetReader
from allennlp.nn import util

from multitask.errors import UserInputError
from multitask.perf.flops import ModelFlopCounter
from multitask.perf.measure import (
    matmul_flops_per_second,
    median,
    peak_rss_mb,
    print_table,
    timed,
    timed_wall_and_cpu,
)

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


def timed_run(trainer, batches: list[dict[str, Any]], run: int, sizes, flops: float) -> dict:
    """One timed pass over ``batches``, with the matmul peak measured just before it."""
    abstracts = sum(rows for rows, _ in sizes)
    tokens = sum(count for _, count in sizes)
    peak = matmul_flops_per_second()
    seconds, cpu = timed_wall_and_cpu(lambda: [train_step(trainer, b) for b in batches])
    return {
        "run": str(run),
        "seconds": seconds,
        "abstracts/s": abstracts / seconds,
        "tokens/s": tokens / seconds,
        "GFLOP/s": flops / seconds / 1e9,
        "peak GFLOP/s": peak / 1e9,
        "MFU": flops / seconds / peak,
        "cpu s": cpu,
        "abstracts/cpu-s": abstracts / cpu,
    }


def benchmark_training(
    config: str,
    overrides: str = "",
    batches: int = 10,
    warmup: int = 2,
    runs: int = 3,
    with_profile: bool = False,
    reader_instances: int = 500,
) -> dict[str, Any]:
    """Speed of ``runs`` passes over the same ``batches`` training batches of ``config``
    (after ``warmup`` untimed steps), and the reader's rate on ``reader_instances`` (0:
    not timed). ``with_profile`` prints a torch.profiler table of one step."""
    if runs < 1 or batches < 1:
        raise UserInputError("runs and batches must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench_train_") as serialization_dir:
        train_model, params = build(config, overrides, serialization_dir)
        trainer = train_model.trainer
        model = train_model.model
        read = list(islice(trainer.data_loader, warmup + batches))
        if len(read) < warmup + batches:
            raise UserInputError(f"the training data gives only {len(read)} batches")
        warmup_batches, timed_batches = read[:warmup], read[warmup:]
        sizes = [batch_size_and_tokens(b) for b in timed_batches]

        model.train()
        counters = [count_flops(model, b) for b in timed_batches]
        flops = sum(c.total for c in counters)
        recurrent = sum(c.recurrent_flops for c in counters)

        for batch in warmup_batches:
            train_step(trainer, batch)
        if with_profile:
            profile(trainer, timed_batches[0])
        rows = [timed_run(trainer, timed_batches, run, sizes, flops) for run in range(1, runs + 1)]
    summary: dict[str, Any] = {"run": "median"}
    for key in COLUMNS[1:]:
        summary[key] = median([r[key] for r in rows])
    return {
        "config": config,
        "overrides": overrides,
        "threads": torch.get_num_threads(),
        "batches": batches,
        "abstracts": sum(rows_ for rows_, _ in sizes),
        "tokens": sum(count for _, count in sizes),
        "flops_per_batch": flops / batches,
        "recurrent_flops_per_batch": recurrent / batches,
        "runs": rows,
        "median": summary,
        "peak_rss_mb": peak_rss_mb(),
        "reader_instances": reader_instances,
        "reader_instances_per_second": (
            reading_rate(params, reader_instances) if reader_instances else None
        ),
    }


def print_report(result: dict[str, Any]) -> None:
    """The result as a heading, one table row per run and the median, and the reader's rate."""
    flops, recurrent = result["flops_per_batch"], result["recurrent_flops_per_batch"]
    print(
        f"{result['config']}: {result['batches']} batches ({result['abstracts']} abstracts, "
        f"{result['tokens']:,} tokens), {result['threads']} threads; model FLOPs per batch "
        f"{flops / 1e9:.2f} G ({100 * recurrent / flops:.0f}% in fused LSTMs, counted "
        "analytically)"
    )
    print_table([*result["runs"], result["median"]], COLUMNS)
    rate = result["reader_instances_per_second"]
    if rate is not None:
        print(f"reader: {rate:,.0f} instances/s in one process ({result['reader_instances']} read)")
