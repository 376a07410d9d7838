"""Building a cache entry: the training records staged by fold, one retriever per fold (out
of fold) and one on the whole file, fitted in parallel processes, resumable.

Layout while building (``<key>.partial/``) and once done (``<key>/``, renamed whole)::

    records/            the training records by fold (removed once the entry is done)
    out_of_fold/fold-K/ fold K's candidates from a retriever fitted on the other folds
    retriever/          the retriever fitted on the whole file
    meta.json           written last: its presence means the entry is complete

A learned-fusion retriever is not fitted whole per fold: its base is (into
``base_out_of_fold/`` and ``base_retriever/``), then :mod:`.reranking` fits the trees on
those lists and writes ``out_of_fold/`` and ``retriever/``.

Each step is written under a temporary name and renamed, so a run killed at any point
resumes with the finished steps as they are: staged records, finished folds and the full
retriever are never fitted twice. A lock file keeps two processes (distributed workers)
from building the same entry at once; the second waits and then reads the first's.
"""

import ctypes
import fcntl
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from tqdm import tqdm

from multitask.cli.disk_full import disk_full_error
from tasks.mesh_indexing.candidates.reranking import (
    BASE_OUT_OF_FOLD,
    BASE_RETRIEVER,
    is_stacked,
    rerank_entry,
)
from tasks.mesh_indexing.candidates.store import (
    CandidateShard,
    CandidateShardWriter,
    RecordShards,
    fold_dir,
    list_recall,
    write_atomically,
)
from tasks.mesh_indexing.suggesters.base import Suggester, write_json

logger = logging.getLogger(__name__)

#: below this many training records the folds are fitted in this process: starting a
#: process (importing the stack) costs more than fitting a small retriever
PARALLEL_MIN_RECORDS = 10_000
#: held-out texts sent to a retriever's ``suggest`` at once
SUGGEST_CHUNK = 2048

#: prctl option: the signal a process gets when its parent dies
PR_SET_PDEATHSIG = 1

Job = Union[int, str]  # a fold number, or "full"
FULL = "full"


@contextmanager
def locked(path: Path):
    """An exclusive ``flock`` on ``path`` for the duration (released if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass(frozen=True)
class Targets:
    """Where the fits write: the fold lists' folder and the full retriever's."""

    out_of_fold: str = "out_of_fold"
    retriever: str = "retriever"


FINAL = Targets()
#: a stacked retriever's base, before the re-ranking step
BASE = Targets(BASE_OUT_OF_FOLD, BASE_RETRIEVER)


def job_done(partial: Path, job: Job, targets: Targets = FINAL) -> bool:
    if job == FULL:
        return (partial / targets.retriever).is_dir()
    return fold_dir(partial / targets.out_of_fold, int(job)).is_dir()


def fit_job(
    retriever: Suggester, partial: Path, job: Job, top_k: int, targets: Targets = FINAL
) -> dict[str, Any]:
    """Fit one retriever (fold ``job`` held out, or the whole file) and write its output.

    Runs in a worker process or in this one. Reads the staged records lazily."""
    started = time.perf_counter()
    shards = RecordShards(partial / "records")
    every = range(shards.folds)
    if job == FULL:
        retriever.fit(shards.texts(every), shards.labels(every))
        write_atomically(partial / targets.retriever, retriever.save)
    else:
        fold = int(job)
        inside = [k for k in every if k != fold]
        retriever.fit(shards.texts(inside), shards.labels(inside))
        ids, texts = shards.ids(fold), shards.texts([fold])
        writer = CandidateShardWriter()
        for start in range(0, len(ids), SUGGEST_CHUNK):
            chunk = slice(start, start + SUGGEST_CHUNK)
            writer.add(ids[chunk], retriever.suggest(texts[chunk], top_k))
        writer.close(fold_dir(partial / targets.out_of_fold, fold))
    return {
        "job": job,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "pid": os.getpid(),
    }


def cores() -> int:
    """Cores this process may run on (a scheduler's limit, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with_parent() -> None:
    """In a worker: ask Linux to end this process when the build's process dies, so that a
    killed build leaves no fit running on (a resumed build would redo it anyway)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _importing_main_in_spawned_process() -> bool:
    """Whether this is a spawned process running its parent's script as ``__mp_main__``:
    runpy registers that module while the script runs, and multiprocessing makes it
    ``__main__`` only once the script has finished."""
    spawned_main = sys.modules.get("__mp_main__")
    return spawned_main is not None and sys.modules.get("__main__") is not spawned_main


def resolve_workers(workers: Optional[int], records: int, jobs: int) -> int:
    if workers is None:
        workers = cores() if records >= PARALLEL_MIN_RECORDS else 1
    return max(1, min(workers, jobs))


def run_jobs(
    retriever: Suggester,
    partial: Path,
    jobs: list[Job],
    top_k: int,
    workers: int,
    targets: Targets = FINAL,
) -> list[dict[str, Any]]:
    """Fit the pending ``jobs``; in ``workers`` processes (spawned: the parent may hold
    threads, which fork would copy in a broken state; one process per job, so that each
    returns its memory and reports its own peak) or here when ``workers`` is 1."""
    results = []
    progress = tqdm(total=len(jobs), desc="candidates: retrievers fitted", unit="fit")
    try:
        if workers == 1:
            for job in jobs:
                results.append(fit_job(retriever.fresh(), partial, job, top_k, targets))
                progress.update()
                logger.info("candidate retriever %s fitted: %s", job, results[-1])
            return results
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_die_with_parent, max_tasks_per_child=1
        ) as pool:
            futures = {
                pool.submit(fit_job, retriever.fresh(), partial, job, top_k, targets): job
                for job in jobs
            }
            for future in as_completed(futures):
                results.append(future.result())
                progress.update()
                logger.info("candidate retriever %s fitted: %s", futures[future], results[-1])
        return results
    finally:
        progress.close()


def out_of_fold_recall(partial: Path) -> float:
    """Share of the training records' labels found in their own out-of-fold lists."""
    shards = RecordShards(partial / "records")
    shard_of = [CandidateShard(fold_dir(partial / "out_of_fold", k)) for k in range(shards.folds)]
    found = (shard_of[k].get(i) for k in range(shards.folds) for i in shards.ids(k))
    labels = (labels for k in range(shards.folds) for labels in shards.labels([k]))
    return list_recall(found, labels)


def build_entry(
    retriever: Suggester,
    training_records: Callable[[], Iterable[Any]],
    entry: Path,
    folds: int,
    top_k: int,
    fold_of: Callable[[str, int], int],
    workers: Optional[int],
    meta: dict[str, Any],
) -> None:
    """Make sure the cache entry ``entry`` exists, building (or resuming) it if needed."""
    if _importing_main_in_spawned_process():
        # a spawned fit process re-imports the parent's script; unguarded, that script would
        # start this build again and wait for ever on the parent's lock
        raise RuntimeError(
            "a candidate build started while a worker process imported the main script: "
            "put the script's top-level code under `if __name__ == '__main__':`"
        )
    lock = entry.with_name(f".{entry.name}.lock")
    partial = entry.with_name(f"{entry.name}.partial")
    with locked(lock):
        if (entry / "meta.json").exists():  # another process built it while we waited
            logger.info("candidate cache %s was written by another process", entry)
            return
        if entry.exists():  # a folder without meta.json: not ours to trust
            raise RuntimeError(f"{entry} exists but is incomplete (no meta.json): remove it")
        try:
            _build(
                retriever, training_records, entry, partial, folds, top_k, fold_of, workers, meta
            )
        except BaseException as error:
            if disk_full_error(error) is not None:
                _after_disk_full(partial, folds)
            raise
        # safe while held: a process that opens the path anew finds meta.json under its lock
        lock.unlink(missing_ok=True)


def _after_disk_full(partial: Path, folds: int) -> None:
    """The disk filled during a build: keep finished steps for the rerun to resume (a
    large corpus's fold fits take hours), or free the space if none had finished."""
    jobs: list[Job] = [*range(folds), FULL]
    finished = RecordShards.complete(partial / "records") or any(
        job_done(partial, job, targets) for job in jobs for targets in (FINAL, BASE)
    )
    if not finished:
        shutil.rmtree(partial, ignore_errors=True)
        return
    size = sum(f.stat().st_size for f in partial.rglob("*") if f.is_file())
    logger.warning(
        "candidates: the disk filled during the build; its finished steps (%.1f MiB) were "
        "kept in %s so that a rerun resumes them; remove that folder to free the space instead",
        size / 2**20,
        partial,
    )


def _build(
    retriever: Suggester,
    training_records: Callable[[], Iterable[Any]],
    entry: Path,
    partial: Path,
    folds: int,
    top_k: int,
    fold_of: Callable[[str, int], int],
    workers: Optional[int],
    meta: dict[str, Any],
) -> None:
    """Stage, fit and write ``partial``, then rename it to ``entry`` (under the lock)."""
    started = time.perf_counter()
    records_dir = partial / "records"
    if RecordShards.complete(records_dir):
        staged = RecordShards(records_dir).summary
        logger.info("candidates: resuming %s (records already staged)", partial)
    else:
        reading = tqdm(training_records(), desc="candidates: staging records", unit="doc")
        staged = RecordShards.write(records_dir, reading, folds, fold_of)
        if staged["duplicate_ids_skipped"]:
            logger.warning(
                "candidates: %d records repeat an earlier record's id and were left out "
                "of the retrievers (the first copy of each id is kept)",
                staged["duplicate_ids_skipped"],
            )
    if not staged["records"]:
        raise ValueError(f"candidate retriever: no labelled records in {meta['train_file']}")
    every: list[Job] = [*range(folds), FULL]
    stacked = is_stacked(retriever)
    reranked = stacked and all(job_done(partial, job) for job in every)
    # a stacked retriever's base is what the fold jobs fit, deep enough for its pool
    fitted, targets, depth = (
        (retriever.base, BASE, max(top_k, retriever.pool))  # type: ignore[attr-defined]
        if stacked
        else (retriever, FINAL, top_k)
    )
    jobs = [] if reranked else [job for job in every if not job_done(partial, job, targets)]
    skipped = folds + 1 - len(jobs)
    if skipped:
        logger.info("candidates: %d of %d fits already done in %s", skipped, folds + 1, partial)
    processes = resolve_workers(workers, staged["records"], len(jobs))
    fits = run_jobs(fitted, partial, jobs, depth, processes, targets) if jobs else []
    if stacked and not reranked:
        meta = {**meta, "reranking": rerank_entry(retriever, partial, folds, top_k)}  # type: ignore[arg-type]
    elif reranked:  # killed after the re-ranking wrote its output, before it cleaned up
        for name in (BASE_OUT_OF_FOLD, BASE_RETRIEVER):
            shutil.rmtree(partial / name, ignore_errors=True)
    recall = out_of_fold_recall(partial)
    shutil.rmtree(records_dir)  # the reader reads the training file itself
    seconds = round(time.perf_counter() - started, 1)
    write_json(
        partial / "meta.json",
        {
            **meta,
            "records": staged["records"],
            "records_per_fold": staged["per_fold"],
            "duplicate_ids_skipped": staged["duplicate_ids_skipped"],
            "out_of_fold_recall": recall,
            "workers": processes,
            "fits": sorted(fits, key=lambda fit: str(fit["job"])),
            "seconds": seconds,
        },
    )
    os.replace(partial, entry)
    logger.info(
        "Candidate retriever fitted on %d records (%d folds, %d processes) in %.0fs; "
        "out-of-fold recall@%d %.3f; cached in %s",
        staged["records"],
        folds,
        processes,
        seconds,
        top_k,
        recall,
        entry,
    )
