"""How candidate retrieval and training scale with the size of the training corpus.

For each size N: a synthetic corpus of N articles resampled from the default corpus
(:func:`synthesize_scaled_corpus`), then, each in a child process so that its peak RSS is
its own (``wait4``):

1. **build**: the main job's reader fits its candidate retriever and the out-of-fold lists
   (:mod:`tasks.mesh_indexing.candidates`), as ``allennlp train`` does before training;
2. **read**: instances per second from the training file with out-of-fold candidates from
   the on-disk shards (memory-mapped), and with the same shards loaded into memory;
3. **train**: ``allennlp train`` of the main config for a fixed number of batches with
   ``max_instances_in_memory`` (the capped loader), its peak RSS and abstracts per second,
   with the shards mapped and loaded.

Steps 2 and 3 run ``runs`` times, the two settings interleaved; the table has medians.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from multitask.data.read_stats import ReadStats
from multitask.perf.measure import median
from tasks.pubmed.article import Article
from tasks.pubmed.corpus import read_articles
from tasks.pubmed.corpus.writers import write_bioasq_json

SENTENCE = re.compile(r"(?<=[.!?])\s+")
#: share of an abstract's sentences taken from another article that shares a heading
MIXED_SENTENCES = 0.3
#: share of tokens replaced by a word of the synthetic long tail (vocabulary growth)
NEW_WORD_RATE = 0.01
#: Zipf exponent of the long tail: its distinct words grow like N^(1/ZIPF) (Heaps' law)
ZIPF = 1.6
#: synthetic PMIDs start here, above any real one
FIRST_PMID = 90_000_000
#: instances read before the reader is timed
WARM_UP = 100


def _long_tail_word(rank: int) -> str:
    """A made-up word for a rank of the long tail (letters only, so tokenizers keep it)."""
    letters = []
    rank += 1
    while rank:
        rank, digit = divmod(rank - 1, 26)
        letters.append(chr(ord("a") + digit))
    return "zq" + "".join(reversed(letters))


def synthesize_scaled_corpus(source: str | Path, articles: int, seed: int = 0) -> Iterator[Article]:
    """``articles`` synthetic articles whose statistics follow the real ``source`` corpus.

    Each one copies a real article chosen at random: its headings, journal, year and title
    (so heading frequencies, headings per article and title length are the source's). Its
    abstract is the real one's sentences, each replaced with probability
    :data:`MIXED_SENTENCES` by a sentence of another article that shares one of its headings
    (new texts whose words still go with their headings), and each word replaced with
    probability :data:`NEW_WORD_RATE` by a word of an unbounded Zipf-distributed long tail,
    so that the vocabulary keeps growing with N as a real corpus's does (Heaps' law)
    instead of stopping at the source's. PMIDs are new (from :data:`FIRST_PMID`).
    """
    originals = [a for a in read_articles(source, stats=ReadStats()) if a.mesh_names]
    if not originals:
        raise ValueError(f"no articles with headings in {source}")
    sentences = [SENTENCE.split(a.abstract) for a in originals]
    by_heading: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(originals):
        for name in article.mesh_names:
            by_heading[name].append(i)
    rng = np.random.default_rng(seed)
    for n in range(articles):
        i = int(rng.integers(len(originals)))
        base = originals[i]
        mixed = []
        for sentence in sentences[i]:
            if rng.random() < MIXED_SENTENCES:
                heading = base.mesh_names[int(rng.integers(len(base.mesh_names)))]
                other = by_heading[heading][int(rng.integers(len(by_heading[heading])))]
                sentence = sentences[other][int(rng.integers(len(sentences[other])))]
            mixed.append(sentence)
        words = " ".join(mixed).split(" ")
        replaced = rng.binomial(len(words), NEW_WORD_RATE)
        for position in rng.integers(0, len(words), size=replaced).tolist():
            words[position] = _long_tail_word(int(rng.zipf(ZIPF)) - 1)
        yield Article(
            pmid=str(FIRST_PMID + n),
            title=base.title,
            abstract=" ".join(words),
            mesh_uis=[None] * len(base.mesh_names),
            mesh_names=list(base.mesh_names),
            journal=base.journal,
            year=base.year,
        )


def write_scaled_corpus(source: str | Path, articles: int, path: str | Path, seed: int = 0) -> int:
    return write_bioasq_json(synthesize_scaled_corpus(source, articles, seed), path)


# ---- measured in child processes -----------------------------------------------------------
def reader_overrides(train: str | Path, cache_dir: str | Path, retriever: dict | None) -> dict:
    overrides: dict[str, Any] = {
        "train_data_path": str(train),
        "dataset_reader.candidates.train_file": str(train),
        "dataset_reader.candidates.cache_dir": str(cache_dir),
        # the label-frequency prior stays the config's file: counting a million articles'
        # headings is a one-off pass per process that would dominate every timed run
    }
    if retriever is not None:
        # as the one member of an ensemble: one score feature per candidate, whatever the
        # suggester, and the model's candidate features counted to match (+4 match features)
        wrapped = {"type": "ensemble", "members": {"retriever": retriever}}
        overrides["dataset_reader.candidates.retriever"] = wrapped
        overrides["model.label_scorer.candidate_features"] = 1 + 4
    return overrides


def _reader(config: str, overrides: dict):
    from allennlp.common import Params
    from allennlp.common.util import import_module_and_submodules
    from allennlp.data import DatasetReader

    import_module_and_submodules("tasks")
    params = Params.from_file(config, json.dumps(overrides))
    return DatasetReader.from_params(params.pop("dataset_reader"))


def child_build(config: str, overrides: dict) -> dict:
    """Fit the retriever and the out-of-fold lists as `allennlp train` would."""
    reader = _reader(config, overrides)
    started = time.perf_counter()
    reader._prepare_candidates()
    reader.candidates.prepare_out_of_fold(reader._training_records)
    seconds = time.perf_counter() - started
    entry = reader.candidates.cache_dir / reader.candidates._key()
    meta = json.loads((entry / "meta.json").read_text())
    return {"seconds": seconds, "meta": meta, "entry": str(entry)}


def child_read(config: str, overrides: dict, instances: int) -> dict:
    """Instances per second of the reader on the training file (out-of-fold candidates)."""
    reader = _reader(config, overrides)
    reader._prepare_candidates()
    source = reader.candidates
    source.prepare_out_of_fold(reader._training_records)
    path = overrides["train_data_path"]
    warm_up = min(WARM_UP, instances)  # the first instances pay for loading MeSH, counts...
    count, started = 0, None
    for _ in reader.read(path):
        count += 1
        if count == warm_up:
            started = time.perf_counter()
        if count >= warm_up + instances:
            break
    if started is None or count <= warm_up:
        raise ValueError(f"{path} has {count} instances: too few to time {instances} reads")
    seconds = time.perf_counter() - started
    count -= warm_up
    return {"instances": count, "seconds": seconds, "counts": dict(source.counts)}


CHILD_FUNCTIONS: dict[str, Callable[..., dict]] = {"build": child_build, "read": child_read}


def run_child(name: str, *args: Any, threads: int | None = None) -> dict:
    """Run ``CHILD_FUNCTIONS[name](*args)`` in a fresh interpreter; its result plus the
    peak RSS of the child (and of its own children, the fold workers)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        code = (
            "import json, sys; from tasks.mesh_indexing.scale_bench import CHILD_FUNCTIONS; "
            f"r = CHILD_FUNCTIONS[{name!r}](*json.loads(sys.argv[1])); "
            "open(sys.argv[2], 'w').write(json.dumps(r))"
        )
        log = Path(tmp) / "log"
        with log.open("wb") as err:
            child = subprocess.Popen(
                [sys.executable, "-c", code, json.dumps(list(args)), str(result_file)],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
            )
            _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"bench child {name} failed:\n{log.read_text()[-3000:]}")
        result = json.loads(result_file.read_text())
    result["peak_rss_mib"] = usage.ru_maxrss / 1024.0
    return result


def train_run(
    config: str,
    overrides: dict,
    vocabulary: Path,
    batches: int,
    max_instances_in_memory: int,
    serialization_dir: Path,
    threads: int | None,
) -> dict:
    """`allennlp train` for ``batches`` batches with the capped loader: peak RSS, rate."""
    from tasks.mesh_indexing.streaming_bench import train_peak_rss_mb

    merged = {
        **overrides,
        "validation_data_path": None,
        "vocabulary": {"type": "from_files", "directory": str(vocabulary)},
        "data_loader.max_instances_in_memory": max_instances_in_memory,
        "data_loader.batches_per_epoch": batches,
        "trainer.num_epochs": 1,
        "trainer.callbacks": [],
        "trainer.learning_rate_scheduler": None,
        "trainer.validation_metric": "-loss",
    }
    train = merged.pop("train_data_path")
    batch_size = _batch_size(config)
    started = time.perf_counter()
    peak = train_peak_rss_mb(config, train, "", serialization_dir, merged, threads)
    wall = time.perf_counter() - started
    metrics = json.loads((serialization_dir / "metrics.json").read_text())
    duration = _seconds(metrics["training_duration"])
    return {
        "peak_rss_mib": peak,
        "wall_seconds": wall,
        "training_seconds": duration,
        "abstracts_per_second": batches * batch_size / duration,
    }


def _batch_size(config: str) -> int:
    from allennlp.common import Params

    loader = Params.from_file(config).as_dict().get("data_loader", {})
    return int(loader.get("batch_size") or loader.get("batch_sampler", {}).get("batch_size"))


def _seconds(duration: str) -> float:
    hours, minutes, seconds = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def build_vocabulary(config: str, overrides: dict, directory: Path, instances: int) -> None:
    """A vocabulary from the first ``instances`` training instances (the training runs load
    it instead of reading the whole corpus for one)."""
    from itertools import islice

    from allennlp.data import Vocabulary

    reader = _reader(config, overrides)
    found = islice(reader.read(overrides["train_data_path"]), instances)
    Vocabulary.from_instances(found, min_count={"tokens": 3}).save_to_files(str(directory))


def _median(values: list[float]) -> float:
    """``nan`` for no runs (``--runs 0`` measures the build alone)."""
    return median(values) if values else math.nan


def _rounded(value: float, digits: int = 0) -> float | int | None:
    if math.isnan(value):
        return None
    return round(value, digits) if digits else round(value)


def _significant(value: float, digits: int = 3) -> float:
    """Seconds to ``digits`` significant figures: a tiny corpus's build is not 0 s."""
    return float(f"{value:.{digits}g}")


def du_mib(path: str | Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def measure_scale(
    config: str,
    source: str | Path,
    sizes: Sequence[int],
    work: Path,
    retriever: dict | None,
    read_instances: int = 2000,
    train_batches: int = 20,
    max_instances_in_memory: int = 1024,
    threads: int | None = None,
    runs: int = 3,
    keep: bool = False,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """One row per size (see the module docstring); ``work`` holds corpora and caches."""
    rows = []
    work.mkdir(parents=True, exist_ok=True)
    vocabulary = work / "vocabulary"
    for size in sorted(sizes):
        train = work / f"train_{size}.json"
        if not train.exists():
            write_scaled_corpus(source, size, f"{train}.tmp")
            os.replace(f"{train}.tmp", train)
        cache = work / f"candidates_{size}"
        shutil.rmtree(cache, ignore_errors=True)  # timed from scratch
        overrides = reader_overrides(train, cache, retriever)
        in_memory = {**overrides, "dataset_reader.candidates.in_memory": True}
        built = run_child("build", config, overrides, threads=threads)
        meta = built["meta"]
        fits = meta.get("fits", [])
        if runs and not vocabulary.exists():
            build_vocabulary(config, overrides, vocabulary, 2000)
        reads: dict[str, list[dict]] = {"disk": [], "memory": []}
        trains: dict[str, list[dict]] = {"disk": [], "memory": []}
        for run in range(runs):  # interleaved, so that a busy spell hits both settings
            for name, setting in (("disk", overrides), ("memory", in_memory)):
                reads[name].append(
                    run_child("read", config, setting, read_instances, threads=threads)
                )
                run_dir = work / f"train_run_{size}_{name}_{run}"
                shutil.rmtree(run_dir, ignore_errors=True)
                trains[name].append(
                    train_run(
                        config,
                        setting,
                        vocabulary,
                        train_batches,
                        max_instances_in_memory,
                        run_dir,
                        threads,
                    )  # fmt: skip
                )
                if not keep:
                    shutil.rmtree(run_dir, ignore_errors=True)
        rate = {n: _median([r["instances"] / r["seconds"] for r in reads[n]]) for n in reads}
        speed = {n: _median([t["abstracts_per_second"] for t in trains[n]]) for n in trains}
        rss = {n: _median([t["peak_rss_mib"] for t in trains[n]]) for n in trains}

        fold_fits = sum(f["seconds"] for f in fits if f["job"] != "full")
        row = {
            "articles": size,
            "corpus MiB": round(train.stat().st_size / 2**20, 1),
            "build s": _significant(built["seconds"]),
            "full fit s": next((f["seconds"] for f in fits if f["job"] == "full"), None),
            "fold fits s (sum)": _significant(fold_fits),
            # per process (a worker fits one retriever): not summed over parallel workers
            "fit peak RSS MiB": _rounded(max((f["peak_rss_mib"] for f in fits), default=math.nan)),
            "build peak RSS MiB": round(built["peak_rss_mib"]),
            "workers": meta.get("workers"),
            "out-of-fold MiB": round(du_mib(Path(built["entry"]) / "out_of_fold"), 3),
            "recall": meta.get("out_of_fold_recall"),
            "read/s disk": _rounded(rate["disk"], 1),
            "read/s memory": _rounded(rate["memory"], 1),
            "train/s disk": _rounded(speed["disk"], 1),
            "train/s memory": _rounded(speed["memory"], 1),
            "train RSS MiB disk": _rounded(rss["disk"]),
            "train RSS MiB memory": _rounded(rss["memory"]),
            "runs": runs,
        }
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows
