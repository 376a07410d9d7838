"""On-disk state of candidate retrieval, in flat arrays that are read lazily.

Two stores, both one folder per fold of the training file, both plain ``.npy`` files opened
memory-mapped (``allow_pickle=False``) plus a JSON label table:

* :class:`RecordShards`: the training records (id, text, label set) split by fold, written
  in one streaming pass over the training file. A fold's retriever reads the other folds
  through :class:`TextColumn` / :class:`LabelColumn`, sequences that decode one record at a
  time from the mapped files, so no process holds the training texts as Python objects.
* :class:`CandidateShard` / :class:`OutOfFoldCandidates`: each fold's out-of-fold
  candidates, sorted by record id. A lookup is the record's fold (a hash), a binary search
  in that fold's ids and a slice of its arrays: the reader touches only the pages of the
  articles it reads, however large the training file.
"""

import os
import shutil
import tempfile
from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Optional, Union

import numpy as np

from tasks.mesh_indexing.suggesters.base import Suggestion, read_json, write_json


def fold_dir(root: Path, fold: int) -> Path:
    return root / f"fold-{fold}"


def _ids_array(ids: Sequence[str]) -> np.ndarray:
    """Ids as fixed-width UTF-8 bytes (a plain, non-object dtype that maps from disk)."""
    encoded = [i.encode("utf-8") for i in ids]
    width = max((len(e) for e in encoded), default=1) or 1
    return np.array(encoded, dtype=f"S{width}")


def _load(path: Path) -> np.ndarray:
    """A memory-mapped ``.npy``: pages are read when touched. Returned as a plain ndarray
    view of the mapping (slicing an ``np.memmap`` builds a memmap object each time: a
    lookup took 56 µs instead of 44)."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def write_atomically(directory: Path, write) -> None:
    """Write a folder under a temporary name of its own, then rename it: a reader (or a
    resumed run) sees it whole or not at all. If another writer (a worker that outlived a
    killed build) renamed the same folder first, its copy is kept."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        write(tmp)
        if directory.exists():
            return
        os.replace(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- training records by fold ------------------------------------------------------------
class _Column(Sequence):
    """A read-only sequence whose items are built on access by ``_item(i)``; one place
    for the index and slice rules its subclasses share."""

    def _item(self, index: int):
        raise NotImplementedError

    def __getitem__(self, index: Union[int, slice]):
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __iter__(self) -> Iterator:
        for i in range(len(self)):
            yield self._item(i)


class TextColumn(_Column):
    """The texts of one fold, decoded from a mapped UTF-8 blob on access."""

    def __init__(self, directory: Path) -> None:
        self.offsets = _load(directory / "text_offsets.npy")
        size = int(self.offsets[-1])
        self.blob = np.memmap(directory / "texts.bin", dtype=np.uint8, mode="r") if size else b""

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _item(self, i: int) -> str:
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return bytes(self.blob[start:end]).decode("utf-8")


class LabelColumn(_Column):
    """The label sets of one fold, as tuples of names, from mapped label ids."""

    def __init__(self, directory: Path, names: Sequence[str]) -> None:
        self.ids = _load(directory / "label_ids.npy")
        self.offsets = _load(directory / "label_offsets.npy")
        self.names = names

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _item(self, i: int) -> tuple[str, ...]:
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return tuple(self.names[j] for j in self.ids[start:end].tolist())


class InFileOrder(_Column):
    """The records of some folds, in the order the training file had them (so a retriever
    is fitted on the same sequence as when the whole file was held in memory)."""

    def __init__(self, columns: dict[int, Sequence], positions: dict[int, np.ndarray]) -> None:
        self.columns = columns
        folds = np.concatenate(
            [np.full(len(positions[k]), k, dtype=np.int32) for k in columns] or [np.zeros(0)]
        ).astype(np.int32)
        local = np.concatenate(
            [np.arange(len(positions[k]), dtype=np.int64) for k in columns] or [np.zeros(0)]
        ).astype(np.int64)
        order = np.argsort(
            np.concatenate([positions[k] for k in columns] or [np.zeros(0)]), kind="stable"
        )
        self.folds, self.local = folds[order], local[order]

    def __len__(self) -> int:
        return len(self.folds)

    def _item(self, index: int):
        return self.columns[int(self.folds[index])][int(self.local[index])]

    def __iter__(self) -> Iterator:  # faster than _Column's: no per-item int() conversions
        columns = self.columns
        for fold, local in zip(self.folds.tolist(), self.local.tolist()):
            yield columns[fold][local]


class _FoldWriter:
    """Appends one fold's records to its files as they stream past."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.texts = (directory / "texts.bin").open("wb")
        self.ids: list[str] = []
        self.positions = array("q")
        self.text_offsets = array("q", [0])
        self.label_ids = array("i")
        self.label_offsets = array("q", [0])

    def add(self, position: int, record_id: str, text: str, labels: Sequence[int]) -> None:
        encoded = text.encode("utf-8")
        self.texts.write(encoded)
        self.ids.append(record_id)
        self.positions.append(position)
        self.text_offsets.append(self.text_offsets[-1] + len(encoded))
        self.label_ids.extend(labels)
        self.label_offsets.append(len(self.label_ids))

    def close(self) -> int:
        self.texts.close()
        np.save(self.directory / "ids.npy", _ids_array(self.ids))
        np.save(self.directory / "positions.npy", np.frombuffer(self.positions, np.int64))
        np.save(self.directory / "text_offsets.npy", np.frombuffer(self.text_offsets, np.int64))
        np.save(self.directory / "label_ids.npy", np.frombuffer(self.label_ids, np.int32))
        np.save(self.directory / "label_offsets.npy", np.frombuffer(self.label_offsets, np.int64))
        return len(self.ids)


class RecordShards:
    """The training records split by fold (``fold-K/`` folders and ``labels.json``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.summary = read_json(root / "records.json")
        self.folds = int(self.summary["folds"])
        self.label_names: list[str] = read_json(root / "labels.json")

    @staticmethod
    def complete(root: Path) -> bool:
        return (root / "records.json").exists()

    @staticmethod
    def write(root: Path, records, folds: int, fold_of) -> dict:
        """Stream ``records`` (objects with ``id``, ``text``, ``labels``) into ``root``, one
        folder per fold; returns the summary (records per fold). Written under a temporary
        name and renamed, so a run killed here starts this step again."""
        summary: dict = {}

        def write(tmp: Path) -> None:
            label_index: dict[str, int] = {}
            writers = [_FoldWriter(fold_dir(tmp, k)) for k in range(folds)]
            seen: set[str] = set()
            duplicates = position = 0
            for record in records:
                if record.id in seen:  # one id, one out-of-fold list: the first copy's
                    duplicates += 1
                    continue
                if record.id.endswith("\0"):  # numpy's fixed-width bytes drop trailing NULs
                    raise ValueError(f"record id {record.id!r} ends in a NUL character")
                seen.add(record.id)
                labels = [
                    label_index.setdefault(label, len(label_index))
                    for label in sorted(record.labels)
                ]
                writers[fold_of(record.id, folds)].add(position, record.id, record.text, labels)
                position += 1
            counts = [writer.close() for writer in writers]
            names = sorted(label_index, key=label_index.__getitem__)
            write_json(tmp / "labels.json", names)
            summary.update(
                {"folds": folds, "records": sum(counts), "per_fold": counts,
                 "duplicate_ids_skipped": duplicates}
            )  # fmt: skip
            write_json(tmp / "records.json", summary)

        write_atomically(root, write)
        return summary

    def ids(self, fold: int) -> list[str]:
        raw = np.load(fold_dir(self.root, fold) / "ids.npy", allow_pickle=False)
        return [i.decode("utf-8") for i in raw.tolist()]

    def _positions(self, folds: Sequence[int]) -> dict[int, np.ndarray]:
        return {
            k: np.load(fold_dir(self.root, k) / "positions.npy", allow_pickle=False) for k in folds
        }

    def texts(self, folds: Sequence[int]) -> Sequence[str]:
        """The texts of ``folds``, in file order, decoded on access."""
        columns = {k: TextColumn(fold_dir(self.root, k)) for k in folds}
        return InFileOrder(columns, self._positions(folds))

    def labels(self, folds: Sequence[int]) -> Sequence[tuple[str, ...]]:
        """The label sets of ``folds``, in file order."""
        columns = {k: LabelColumn(fold_dir(self.root, k), self.label_names) for k in folds}
        return InFileOrder(columns, self._positions(folds))


# ---- out-of-fold candidates ------------------------------------------------------------
def list_recall(
    found: Iterable[Optional[Sequence[Suggestion]]], label_sets: Iterable[Collection[str]]
) -> float:
    """Share of the gold labels found in their own candidate lists (``None``: no list)."""
    hits = total = 0
    for candidates, labels in zip(found, label_sets):
        hits += len({c.label for c in candidates or ()}.intersection(labels))
        total += len(labels)
    return round(hits / total, 4) if total else 0.0


class CandidateShard:
    """One fold's out-of-fold candidates: ``ids.npy`` (sorted), ``offsets.npy``,
    ``labels.npy`` (into ``labels.json``), ``scores.npy`` and ``features.npy`` (one row per
    candidate, float64 as the retriever gave them, so the lists read back exactly)."""

    FILES = ("ids.npy", "offsets.npy", "labels.npy", "scores.npy", "features.npy", "labels.json")

    def __init__(self, directory: Path, in_memory: bool = False) -> None:
        load = (lambda p: np.load(p, allow_pickle=False)) if in_memory else _load
        self.ids = load(directory / "ids.npy")
        self.offsets = load(directory / "offsets.npy")
        self.labels = load(directory / "labels.npy")
        self.scores = load(directory / "scores.npy")
        self.features = load(directory / "features.npy")
        self.names: list[str] = read_json(directory / "labels.json")
        self.width = self.ids.dtype.itemsize

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def write(directory: Path, ids: Sequence[str], found: Sequence[Sequence[Suggestion]]) -> None:
        """Write one fold's lists (``found[i]`` is ``ids[i]``'s)."""
        writer = CandidateShardWriter()
        writer.add(ids, found)
        writer.close(directory)

    def get(self, record_id: str) -> Optional[list[Suggestion]]:
        key = record_id.encode("utf-8")
        if len(key) > self.width or not len(self.ids):
            return None
        position = int(np.searchsorted(self.ids, key))
        if position >= len(self.ids) or self.ids[position] != key:
            return None
        start, end = int(self.offsets[position]), int(self.offsets[position + 1])
        names = self.names
        return [
            Suggestion(names[j], s, tuple(f))
            for j, s, f in zip(
                self.labels[start:end].tolist(),
                self.scores[start:end].tolist(),
                self.features[start:end].tolist(),
            )
        ]


class CandidateShardWriter:
    """Collects a fold's candidate lists chunk by chunk in flat arrays (about 44 bytes per
    candidate, not a Python object each), then writes them sorted by id."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.names: dict[str, int] = {}
        self.labels, self.scores, self.features = array("i"), array("d"), array("d")
        self.offsets = array("q", [0])
        self.width: Optional[int] = None

    def add(self, ids: Sequence[str], found: Sequence[Sequence[Suggestion]]) -> None:
        if len(ids) != len(found):
            raise ValueError(f"{len(ids)} ids but {len(found)} candidate lists")
        names = self.names
        for record_id, row in zip(ids, found):
            self.ids.append(record_id)
            for candidate in row:
                if self.width is None:
                    self.width = len(candidate.features)
                elif len(candidate.features) != self.width:
                    raise ValueError(
                        f"the retriever gave candidates with {self.width} and "
                        f"{len(candidate.features)} features"
                    )
                self.labels.append(names.setdefault(candidate.label, len(names)))
                self.scores.append(candidate.score)
                self.features.extend(candidate.features)
            self.offsets.append(len(self.labels))

    def close(self, directory: Path) -> None:
        ids = _ids_array(self.ids)
        order = np.argsort(ids, kind="stable")
        offsets = np.frombuffer(self.offsets, np.int64)
        lengths = np.diff(offsets)[order]
        sorted_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        # candidate k of the sorted output comes from the input position of its record's
        # first candidate plus its place in the list
        gather = np.repeat(offsets[:-1][order] - sorted_offsets[:-1], lengths) + np.arange(
            int(sorted_offsets[-1])
        )
        width = self.width or 0
        labels = np.frombuffer(self.labels, np.int32)[gather]
        scores = np.frombuffer(self.scores, np.float64)[gather]
        features = np.frombuffer(self.features, np.float64).reshape(len(self.labels), width)[gather]

        def write(tmp: Path) -> None:
            np.save(tmp / "ids.npy", ids[order])
            np.save(tmp / "offsets.npy", sorted_offsets)
            np.save(tmp / "labels.npy", labels)
            np.save(tmp / "scores.npy", scores)
            np.save(tmp / "features.npy", features)
            write_json(tmp / "labels.json", sorted(self.names, key=self.names.__getitem__))

        write_atomically(directory, write)


class OutOfFoldCandidates:
    """Every fold's candidate shard; ``get(id)`` finds a training record's list."""

    def __init__(self, root: Path, folds: int, fold_of, in_memory: bool = False) -> None:
        self.root = root
        self.fold_of = fold_of
        self.folds = folds
        self.shards = [CandidateShard(fold_dir(root, k), in_memory) for k in range(folds)]

    def __len__(self) -> int:
        return sum(len(shard) for shard in self.shards)

    def __bool__(self) -> bool:
        return True

    def get(self, record_id: str) -> Optional[list[Suggestion]]:
        return self.shards[self.fold_of(record_id, self.folds)].get(record_id)

    def disk_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.root.rglob("*") if f.is_file())
