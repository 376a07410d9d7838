"""Which write filled the disk, how much it had written, and how much space was left.

Python's error for a failed write names no file (``[Errno 28] No space left on device``), and
code that writes into a temporary folder removes it on the way out, so neither the file nor
what it held can be seen once the error arrives. While training runs, an audit hook notes
the last file each thread opened for writing and, when a file or folder holding it is
removed while that error propagates, how much it held and how much space was free then.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from multitask.errors import CommandLineError

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT


class DiskFullError(CommandLineError, OSError):
    """The disk filled up; the message names the file, the sizes and what was cleaned up."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.ENOSPC, message)

    def __str__(self) -> str:
        return str(self.args[1])


@dataclass(frozen=True)
class Removed:
    """A file or folder removed while a disk-full error propagated (a writer's cleanup)."""

    path: str
    size: int
    free: int


class _Writes(threading.local):
    last: str | None = None  # the last file this thread opened for writing


_watching = 0
_writes = _Writes()
_removed: list[Removed] = []
_hook_added = False


def disk_full_error(error: BaseException | None) -> OSError | None:
    """The ENOSPC error that ``error`` is, or was raised while handling, if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _opened_for_writing(args: tuple[Any, ...]) -> str | None:
    path, mode, flags = (tuple(args) + (None, None))[:3]
    if not isinstance(path, (str, bytes, os.PathLike)):
        return None  # a file descriptor
    if isinstance(mode, str):
        writes = any(c in mode for c in "wax+")
    else:
        writes = isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
    return os.path.abspath(os.fsdecode(path)) if writes else None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _watching:
        return
    if event == "open":
        path = _opened_for_writing(args)
        if path is not None:
            _writes.last = path
    elif event in ("shutil.rmtree", "os.remove") and isinstance(args[0], (str, os.PathLike)):
        if len(args) > 1 and args[1] not in (None, -1):
            return  # a name relative to a folder being removed: the folder was noted already
        last, target = _writes.last, os.path.abspath(os.fspath(args[0]))
        if last and (last == target or last.startswith(target + os.sep)):
            if disk_full_error(sys.exc_info()[1]) is not None:
                try:  # an error here would replace the one propagating
                    _removed.append(Removed(target, _size(target), _free(target)))
                except OSError:
                    pass


@contextmanager
def watching_writes() -> Iterator[None]:
    """Note writes and cleanups (for :func:`describe`) while the block runs."""
    global _watching, _hook_added
    if not _hook_added:  # an audit hook cannot be removed: add one, switched by _watching
        sys.addaudithook(_audit)
        _hook_added = True
    if not _watching:
        _removed.clear()
        _writes.last = None
    _watching += 1
    try:
        yield
    finally:
        _watching -= 1


def _size(path: str) -> int:
    if not os.path.isdir(path):
        return os.path.getsize(path) if os.path.exists(path) else 0
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def _existing(path: str) -> str:
    path = os.path.abspath(path)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def _free(path: str) -> int:
    return shutil.disk_usage(_existing(path)).free


def _mount_point(path: str) -> str:
    path = _existing(path)
    while not os.path.ismount(path):
        path = os.path.dirname(path)
    return path


def human_size(size: int) -> str:
    """``512 B``, ``1.5 KiB``, ``3.2 GiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def describe(error: OSError) -> str:
    """What failed and where: the file being written, what the step had written by then
    (what its cleanup removed, or the file as it is now) and the free space on its filesystem,
    measured before the cleanup freed any."""
    path = os.fsdecode(error.filename) if error.filename is not None else _writes.last
    if path is None:
        return f"no space left on device ({error.strerror or error})"
    path = os.path.abspath(path)
    holding = [r for r in _removed if path == r.path or path.startswith(r.path + os.sep)]
    removed = max(holding, key=lambda r: len(r.path), default=None)  # the writer's own cleanup
    if removed is None:
        where, written, free = path, f"{human_size(_size(path))} written to it", _free(path)
    else:
        written = f"{human_size(removed.size)} written there when it failed, removed since"
        where = path
        if removed.path != path:  # the step's temporary folder: name the file inside it
            where = f"{os.path.relpath(path, removed.path)} in {removed.path}"
        free = removed.free
    return (
        f"no space left on device writing {where} ({written}); {human_size(free)} free on the "
        f"filesystem mounted at {_mount_point(path)}"
    )
