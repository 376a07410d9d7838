"""A disk that fills during `allennlp train` is one error line naming the file, what was
written and the free space, and leaves nothing half-written for the rerun to trip over."""

import builtins
import errno
import io
import json
import os
import re
import sys

import pytest
from allennlp.commands.train import train_model_from_file
from paths import MQAN_FIXTURES

import multitask  # noqa: F401 - installs the command checks
import tasks  # noqa: F401 - registers the tiny config's reader
from multitask import errors
from multitask.cli.disk_full import DiskFullError
from multitask.cli.run_folder import RunFolder

CONFIG = str(MQAN_FIXTURES / "mesh_mqan_tiny.jsonnet")
ROOM = 1000  # bytes the full disk still takes


class _Disk:
    """Bytes left on the simulated disk, shared by every file written under one folder."""

    def __init__(self, room: int) -> None:
        self.room = room


def _full_disk_file(disk: _Disk) -> type[io.FileIO]:
    class FullDiskFile(io.FileIO):
        """Writes what fits, then fails as the kernel does (ENOSPC, no file name)."""

        def write(self, data) -> int:
            data = memoryview(data).cast("B")
            fits = min(len(data), disk.room)
            written = super().write(data[:fits]) if fits else 0
            disk.room -= written
            if written < len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return written

    return FullDiskFile


def fill_disk_under(monkeypatch, folder, room: int = ROOM) -> None:
    """Files opened for writing under ``folder`` share ``room`` bytes, then ENOSPC."""
    real_open = builtins.open
    raw_file = _full_disk_file(_Disk(room))
    inside = os.path.abspath(folder) + os.sep

    def open_(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, **kw):
        path = os.fspath(file) if isinstance(file, (str, os.PathLike)) else None
        if path is None or not os.path.abspath(path).startswith(inside) or "r" in mode:
            return real_open(file, mode, buffering, encoding, errors, newline, **kw)
        raw = raw_file(path, mode.replace("b", "").replace("t", ""))
        buffered = io.BufferedRandom(raw) if "+" in mode else io.BufferedWriter(raw)
        if "b" in mode:
            return buffered
        return io.TextIOWrapper(buffered, encoding or "utf-8", errors, newline)

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)  # pathlib and zipfile call io.open


def train(run_dir, cache_dir) -> None:
    overrides = {"trainer.num_epochs": 1, "dataset_reader.candidates.cache_dir": str(cache_dir)}
    train_model_from_file(CONFIG, str(run_dir), json.dumps(overrides))


def one_line(error: BaseException, capsys) -> str:
    """What the command line prints for ``error``."""
    capsys.readouterr()
    sys.excepthook(type(error), error, error.__traceback__)
    printed = capsys.readouterr().err
    assert printed.count("\n") == 1 and "Traceback" not in printed, printed
    return printed.rstrip("\n")


MESSAGE = re.compile(
    r"error: no space left on device writing (?P<file>\S+) in (?P<step>\S+) \((?P<written>.+) "
    r"written there when it failed, removed since\); (?P<free>[\d.]+ \S+) free on the "
    r"filesystem mounted at (?P<mount>/\S*); (?P<cleanup>[^;]+); free some space and rerun"
)


def test_disk_full_while_caching_the_retriever(tmp_path, monkeypatch, capsys):
    run_dir, cache_dir = tmp_path / "run", tmp_path / "candidates"
    fill_disk_under(monkeypatch, cache_dir)
    with pytest.raises(DiskFullError) as raised:
        train(run_dir, cache_dir)
    assert raised.value.errno == errno.ENOSPC, "still an OSError(ENOSPC) for Python callers"
    assert sys.excepthook is errors._excepthook, "train's logging hook would print a traceback"
    line = one_line(raised.value, capsys)
    match = MESSAGE.fullmatch(line)
    assert match, line
    # a file of the first step (staging the records), in that step's temporary folder
    # inside the entry's partial build, which held no finished step and was removed
    partial = os.path.dirname(match["step"])
    assert os.path.dirname(partial) == str(cache_dir) and partial.endswith(".partial")
    assert os.path.basename(match["step"]).startswith(".records.")
    assert match["file"].startswith("fold-")
    # numpy's tofile writes array bodies through the descriptor, past the simulated budget
    number, unit = match["written"].split()
    assert ROOM <= float(number) * {"B": 1, "KiB": 1024}[unit] < 2 * ROOM, match["written"]
    assert match["cleanup"] == f"the unfinished serialization folder {run_dir} was removed"
    assert not run_dir.exists(), "a rerun must not meet 'already exists'"
    left = list(cache_dir.iterdir())
    assert [(e.name[0], e.suffix, e.stat().st_size) for e in left] == [(".", ".lock", 0)], (
        "no temporary or partial cache entry is left: only the empty lock file"
    )

    monkeypatch.undo()  # space freed: the same command now works
    train(run_dir, cache_dir)
    assert (run_dir / "model.tar.gz").exists()
    assert [entry.name[0] != "." for entry in cache_dir.iterdir()] == [True]


def test_disk_full_while_publishing_into_the_run_folder(tmp_path, monkeypatch, capsys):
    run_dir, cache_dir = tmp_path / "run", tmp_path / "candidates"
    fill_disk_under(monkeypatch, run_dir / "artifacts")
    with pytest.raises(DiskFullError) as raised:
        train(run_dir, cache_dir)
    match = MESSAGE.fullmatch(one_line(raised.value, capsys))
    assert match, raised.value
    assert match["step"].startswith(f"{run_dir}/artifacts/.")
    assert match["written"] == f"{ROOM} B"
    assert not run_dir.exists()
    entries = list(cache_dir.iterdir())
    assert len(entries) == 1 and not entries[0].name.startswith("."), "the cache entry is whole"


def test_disk_full_on_any_write_of_the_run(tmp_path, monkeypatch, capsys):
    run_dir, cache_dir = tmp_path / "run", tmp_path / "candidates"
    fill_disk_under(monkeypatch, run_dir)  # the first file train writes is its config.json
    with pytest.raises(DiskFullError) as raised:
        train(run_dir, cache_dir)
    line = one_line(raised.value, capsys)
    assert line.startswith(
        f"error: no space left on device writing {run_dir}/config.json ({ROOM} B written to it); "
    ), line
    assert line.endswith(
        f"; the unfinished serialization folder {run_dir} was removed; free some space and rerun"
    )
    assert not run_dir.exists()


def test_a_folder_that_held_files_or_is_resumed_is_never_removed(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "config.json").write_text("{}")
    before = RunFolder.before_run(kept, recover=False)
    (kept / "half.th").write_text("")
    assert before.discard() == f"{kept} was kept (it held files before this run)"
    assert RunFolder.before_run(kept, recover=True).discard() == f"{kept} was kept (--recover)"
    assert sorted(p.name for p in kept.iterdir()) == ["config.json", "half.th"]

    empty = tmp_path / "empty"
    empty.mkdir()
    before = RunFolder.before_run(empty, recover=False)
    (empty / "vocabulary").mkdir()
    (empty / "config.json").write_text("{}")
    assert before.discard().endswith("was emptied, as it was before this run")
    assert empty.is_dir() and list(empty.iterdir()) == []


def test_a_run_that_saved_a_checkpoint_is_kept_for_recover(tmp_path):
    run = tmp_path / "run"
    before = RunFolder.before_run(run, recover=False)
    run.mkdir()
    (run / "config.json").write_text("{}")
    (run / "model_state_e1_b0.th").write_bytes(b"weights")
    said = before.discard()
    assert said.startswith(f"{run} was kept: it holds checkpoints") and "--recover" in said
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "model_state_e1_b0.th"]
    # without a checkpoint the same folder is removed
    (run / "model_state_e1_b0.th").unlink()
    assert before.discard() == f"the unfinished serialization folder {run} was removed"
    assert not run.exists()
