"""Timing, matmul peak and memory helpers shared by the benchmark scripts.

The machine may be shared, so every figure is a median of several runs, and speed is also
reported as a fraction of a large fp32 ``torch.mm`` timed in the same process on the same
threads (a ratio that stays meaningful when other jobs slow everything down alike).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable

import torch


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_wall_and_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and process CPU seconds of one call. With one torch thread, CPU seconds are what
    the call would take on an idle machine, however busy this one is; with several threads
    they also count threads waiting for each other, so they are an upper bound.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def matmul_flops_per_second(size: int = 2048, repeats: int = 5) -> float:
    """Peak fp32 FLOP/s of a ``size`` x ``size`` matmul on the current torch threads: the
    best of ``repeats`` (other jobs on the machine can only make a repeat slower).
    """
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    torch.mm(a, b)  # warm-up: the first call allocates and picks a kernel
    seconds = min(timed(lambda: torch.mm(a, b)) for _ in range(repeats))
    return 2.0 * size**3 / seconds


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 2**20


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in [0, 100]."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def print_table(rows: list[dict[str, object]], columns: list[str]) -> None:
    """A plain aligned table (the benchmarks' human-readable output)."""
    cells = [[_format(row.get(column, "")) for column in columns] for row in rows]
    widths = [max(len(column), *(len(c[i]) for c in cells)) for i, column in enumerate(columns)]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths)))
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)
