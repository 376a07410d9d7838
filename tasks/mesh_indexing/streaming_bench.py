"""Peak memory of `allennlp train` against the size of its training file.

A corpus larger than memory (BioASQ's allMeSH is ~25 GB) must stream: the readers yield
articles one at a time, and AllenNLP's data loader keeps at most
``max_instances_in_memory`` instances when that is set (without it, the loader caches every
instance of the file). These helpers synthesize training files of any size from a real one
and measure the training process's peak RSS, so the two settings can be compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from multitask.data.read_stats import ReadStats
from multitask.perf.measure import median
from tasks.pubmed.corpus import read_articles
from tasks.pubmed.corpus.writers import write_bioasq_json

# a small model: the memory measured is the data pipeline's, not the parameters'. Without
# the candidate retriever: fitting it on a 100k-article file would dominate the run (its
# own scaling is bench_scale's: tasks/mesh_indexing/scale_bench.py).
SMALL_MODEL = {
    "dataset_reader.candidates": None,
    "dataset_reader.match_features": False,
    "dataset_reader.label_order": "frequency",
    "model.label_scorer": None,
    "model.tasks.mesh_indexing.decoding.selection": None,
    "trainer.callbacks": [],
    # linear_with_warmup needs batches per epoch, which a capped loader cannot count
    "trainer.learning_rate_scheduler": None,
    "model.dim": 16,
    "model.text_field_embedder.token_embedders.tokens.embedding_dim": 16,
    "model.encoder.dim": 16,
    "model.decoder.dim": 16,
    "model.max_decoding_steps": 20,
    "trainer.num_epochs": 1,
}


def synthesize_corpus(source: str | Path, articles: int, path: str | Path) -> int:
    """Write ``articles`` articles to ``path`` (BioASQ layout) by cycling through ``source``;
    repeats get new PMIDs (``<pmid>r<k>``) so that every article stays distinct.
    """
    originals = list(read_articles(source, stats=ReadStats()))
    if not originals:
        raise ValueError(f"no articles in {source}")

    def repeated():
        for index, article in enumerate(islice(cycle(originals), articles)):
            round_ = index // len(originals)
            yield article if round_ == 0 else replace(article, pmid=f"{article.pmid}r{round_}")

    return write_bioasq_json(repeated(), path)


def train_peak_rss_mb(
    config: str,
    train_file: str | Path,
    validation_file: str | Path,
    serialization_dir: str | Path,
    overrides: dict[str, Any],
    threads: int | None = None,
    cwd: str | Path = ".",
) -> float:
    """Run `allennlp train` in a child process; its peak RSS in MiB (from ``wait4``)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    allennlp = str(Path(sys.executable).with_name("allennlp"))
    merged = {
        "train_data_path": str(train_file),
        "validation_data_path": str(validation_file),
        **overrides,
    }
    command = [allennlp, "train", config, "-s", str(serialization_dir), "-o", json.dumps(merged)]
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=env,
        )
        # wait4, not Popen.wait: it also returns the child's resource usage
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"allennlp train failed:\n{log.read().decode()[-3000:]}")
    return usage.ru_maxrss / 1024.0  # KiB on Linux


def measure_streaming(
    config: str,
    source: str | Path,
    validation_source: str | Path,
    sizes: Sequence[int],
    max_instances_in_memory: int = 1024,
    validation_articles: int = 64,
    contrast: bool = False,
    runs: int = 1,
    threads: int | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Median peak RSS of training one epoch of :data:`SMALL_MODEL` on files of ``sizes``
    articles synthesized from ``source``, with the loader capped at
    ``max_instances_in_memory``; ``contrast`` adds the smallest size uncapped (every instance
    cached). Each row goes to ``on_row`` as soon as it is measured (runs take minutes)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_streaming_") as folder:
        work = Path(folder)
        validation = work / "validation.json"
        synthesize_corpus(validation_source, validation_articles, validation)
        for size in sorted(sizes):
            settings: list[tuple[str, int | None]] = [("streamed", max_instances_in_memory)]
            if contrast and size == min(sizes):
                settings.append(("cached", None))
            train = work / f"train_{size}.json"
            synthesize_corpus(source, size, train)
            megabytes = train.stat().st_size / 2**20
            for name, cap in settings:
                overrides = dict(SMALL_MODEL)
                if cap is not None:
                    overrides["data_loader.max_instances_in_memory"] = cap
                peaks = [
                    train_peak_rss_mb(
                        config, train, validation, work / f"run_{size}_{name}_{run}", overrides,
                        threads,
                    )
                    for run in range(runs)
                ]  # fmt: skip
                rows.append(
                    {
                        "articles": size,
                        "file MiB": megabytes,
                        "loader": name if cap is None else f"{name} (cap {cap})",
                        "peak RSS MiB": median(peaks),
                        "runs": len(peaks),
                    }
                )
                if on_row is not None:
                    on_row(rows[-1])
    return rows
