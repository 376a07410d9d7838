"""Candidates for a task reader: a suggester (the "retriever") trained on the training
file, out-of-fold candidates for the training articles themselves, all cached on disk by
content hash.

Training articles must not get candidates from a retriever that saw them: their own labels
would come back near-perfect and the model would learn to copy blindly. So the training
file is split into ``folds`` by a hash of each record's id, and every training record gets
its candidates from a retriever fitted on the other folds. Any other file (validation,
test, prediction input) gets candidates from the retriever fitted on the whole training
file. Both are computed once per (training file content, retriever settings) and cached
under ``cache_dir`` (:mod:`.building`: folds fitted in parallel processes, resumable);
the out-of-fold lists stay on disk and are read per article (:mod:`.store`), so memory
does not grow with the training file. The full retriever is also published into the
serialization directory so that the model archive carries it.
"""

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from allennlp.common import FromParams

from tasks.mesh_indexing.candidates.building import build_entry
from tasks.mesh_indexing.candidates.store import OutOfFoldCandidates
from tasks.mesh_indexing.corpus.artifacts import sha256_of
from tasks.mesh_indexing.suggesters.base import Suggester, Suggestion, read_json, write_json

logger = logging.getLogger(__name__)

#: part of the published settings: archives check it when they restore their retriever
STATE_VERSION = 1
#: how a cache entry is laid out on disk (2: out-of-fold lists in memory-mapped shards; 1
#: was one JSON-lines file loaded into a dict); part of the cache key, not of the settings
CACHE_LAYOUT = 2


@dataclass(frozen=True)
class Record:
    """What a retriever sees of one training article: its id, its text, its labels."""

    id: str
    text: str
    labels: frozenset[str]


def fold_of(record_id: str, folds: int) -> int:
    """Salted, so folds are independent of the corpus's own hash-bucket split."""
    return int(hashlib.sha256(f"fold:{record_id}".encode()).hexdigest()[:8], 16) % folds


class CandidateSource(FromParams):
    """Top-K candidates for every article a task reader reads.

    # Parameters

    retriever : `Suggester`
        What proposes candidates: any registered suggester (e.g. `tfidf_omikuji`,
        `tfidf_knn`, `ensemble`).
    train_file : `str`
        The training file: the retriever is fitted on it, and its own records get
        out-of-fold candidates. Use the same path as `train_data_path`.
    top_k : `int`, optional (default = `30`)
        Candidates per training article (out of fold).
    eval_top_k : `int`, optional (default = `top_k`)
        Candidates per article of any other file (validation, test, prediction input). A
        longer list raises the recall the model can reach at a small cost in precision
        (the label head scores each one); it is not part of the cache key, so an archive
        can be asked for another count with an override.
    folds : `int`, optional (default = `5`)
    cache_dir : `str`, optional (default = `"data/candidates"`)
        Where fitted retrievers and out-of-fold candidates are cached, keyed by a hash of
        the training file's content and the retriever's settings.
    workers : `int`, optional (default = `None`)
        Processes that fit the fold retrievers and the full one in parallel. `None`: one per
        core for a training file of 10,000 records or more, else this process. Each process
        holds one retriever: memory grows with the count (docs/scaling.md).
    in_memory : `bool`, optional (default = `False`)
        Read the out-of-fold shards into memory instead of mapping them from disk. The
        shards and the lookups are the same; only where the pages live differs (the
        benchmark compares the two: `scripts/benchmarks/bench_scale.py`).
    """

    def __init__(
        self,
        retriever: Suggester,
        train_file: str,
        top_k: int = 30,
        folds: int = 5,
        cache_dir: str = "data/candidates",
        eval_top_k: Optional[int] = None,
        workers: Optional[int] = None,
        in_memory: bool = False,
    ) -> None:
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        if eval_top_k is not None and eval_top_k < 1:
            raise ValueError(f"eval_top_k must be at least 1, got {eval_top_k}")
        if folds < 2:
            raise ValueError(f"out-of-fold candidates need at least 2 folds, got {folds}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.in_memory = in_memory
        self.retriever = retriever
        self.train_file = train_file
        self.top_k = top_k
        self.eval_top_k = eval_top_k or top_k
        self.folds = folds
        self.cache_dir = Path(cache_dir)
        self.train_sha: Optional[str] = None
        self.out_of_fold: Optional[OutOfFoldCandidates] = None
        self._ready = False
        self._restored = False
        self._file_hashes: dict[tuple[str, int, int], str] = {}
        self.counts = {"out_of_fold": 0, "full": 0}
        #: seconds the cached retriever and out-of-fold candidates took to build
        self.fit_seconds: Optional[float] = None

    # ---- identity ---------------------------------------------------------------------------
    def settings(self) -> dict:
        return {
            "version": STATE_VERSION,
            "retriever": self.retriever.config(),
            "top_k": self.top_k,
            "folds": self.folds,
        }

    def _key(self) -> str:
        blob = json.dumps(
            {"train_sha256": self.train_sha, "layout": CACHE_LAYOUT, **self.settings()},
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:20]

    def _hash(self, path: str) -> str:
        stat = os.stat(path)
        key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in self._file_hashes:
            self._file_hashes[key] = sha256_of(Path(path))
        return self._file_hashes[key]

    def is_training_file(self, path: str) -> bool:
        """Whether ``path`` has the training file's content (then out-of-fold applies)."""
        return (
            self.train_sha is not None
            and os.path.exists(path)
            and self._hash(path) == self.train_sha
        )

    @property
    def restored(self) -> bool:
        """Whether the retriever came from a model archive (or a run being resumed)."""
        return self._restored

    # ---- archived state (prediction, evaluation, --recover) --------------------------------
    def restore(self, directory: Path) -> None:
        """Load the fitted retriever published into a serialization dir / model archive."""
        meta = read_json(directory / "meta.json")
        if _current_names(meta.get("settings")) != json.loads(json.dumps(self.settings())):
            raise ValueError(
                f"the retriever in {directory} was built with {meta.get('settings')}, but the "
                f"config asks for {self.settings()}"
            )
        self.retriever.load(directory / "retriever")
        self.train_sha = meta["train_sha256"]
        self._restored = True
        logger.info(
            "Candidate retriever restored from %s (trained on %s)",
            directory,
            meta.get("train_file"),
        )

    def publish(self, directory: Path) -> None:
        """Write the fitted retriever where the model archive picks it up."""
        if directory.exists():
            return
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".candidates-", dir=directory.parent))
        try:
            self.retriever.save(tmp / "retriever")
            write_json(
                tmp / "meta.json",
                {
                    "settings": self.settings(),
                    "train_sha256": self.train_sha,
                    "train_file": self.train_file,
                    "fit_seconds": self.fit_seconds,
                },
            )
            os.replace(tmp, directory)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # ---- fitting ----------------------------------------------------------------------------
    def prepare(self, training_records: Callable[[], Iterable[Record]]) -> None:
        """Fit (or load from the cache) the full retriever and the out-of-fold candidates.

        ``training_records`` reads the training file the way the task reader does. A
        restored retriever (from an archive) is used as it is: nothing is fitted.
        """
        if self._ready or self._restored:
            return
        if not os.path.exists(self.train_file):
            raise FileNotFoundError(
                f"candidate retriever: training file {self.train_file} not found (set "
                "candidates.train_file to the training data path)"
            )
        self.train_sha = self._hash(self.train_file)
        self._load_entry(training_records, load_retriever=True)
        self._ready = True

    def prepare_out_of_fold(self, training_records: Callable[[], Iterable[Record]]) -> None:
        """Make sure the training file's out-of-fold candidates are loaded (a restored
        retriever only needs them when training resumes, ``--recover``)."""
        if self.out_of_fold is not None:
            return
        self._load_entry(training_records, load_retriever=False)

    def _load_entry(
        self, training_records: Callable[[], Iterable[Record]], load_retriever: bool
    ) -> None:
        entry = self.cache_dir / self._key()
        if not (entry / "meta.json").exists():
            meta = {
                "settings": self.settings(),
                "train_sha256": self.train_sha,
                "train_file": self.train_file,
            }
            build_entry(
                self.retriever,
                training_records,
                entry,
                self.folds,
                self.top_k,
                fold_of,
                self.workers,
                meta,
            )
        if load_retriever:
            self.retriever.load(entry / "retriever")
        self.fit_seconds = read_json(entry / "meta.json").get("seconds")
        self.out_of_fold = OutOfFoldCandidates(
            entry / "out_of_fold", self.folds, fold_of, in_memory=self.in_memory
        )
        logger.info(
            "Candidates (%s, top %d) from cache %s: %d out-of-fold training records, %s",
            self.retriever.config()["type"],
            self.top_k,
            entry,
            len(self.out_of_fold),
            "loaded into memory" if self.in_memory else "read from disk per article",
        )

    # ---- use --------------------------------------------------------------------------------
    def candidates(
        self, ids: Sequence[str], texts: Sequence[str], training_file: bool
    ) -> list[list[Suggestion]]:
        """Candidates for a chunk of records; out-of-fold ones for the training file."""
        if not self._ready and not self._restored:
            raise RuntimeError("CandidateSource.prepare() must run before candidates()")
        if training_file and self.out_of_fold is None:
            raise RuntimeError("out-of-fold candidates are not loaded: prepare_out_of_fold()")
        out: list[Optional[list[Suggestion]]] = [None] * len(ids)
        missing = []
        for i, record_id in enumerate(ids):
            found = self.out_of_fold.get(record_id) if training_file else None
            if found is None:
                missing.append(i)
            else:
                out[i] = found
        self.counts["out_of_fold"] += len(ids) - len(missing)
        if training_file and missing:
            logger.warning(
                "%d records of the training file have no out-of-fold candidates (ids not "
                "seen when the retriever was fitted): using the full retriever",
                len(missing),
            )
        if missing:
            k = self.top_k if training_file else self.eval_top_k
            found = self.retriever.suggest([texts[i] for i in missing], k)
            for i, candidates in zip(missing, found):
                out[i] = candidates
            self.counts["full"] += len(missing)
        return [c or [] for c in out]


def _current_names(settings: Any) -> Any:
    """Settings stored before the suggester interface, in today's names (an ensemble's
    ``retrievers`` are its ``members``), so that those archives still load."""
    if isinstance(settings, dict):
        return {
            ("members" if key == "retrievers" else key): _current_names(value)
            for key, value in settings.items()
        }
    return settings
