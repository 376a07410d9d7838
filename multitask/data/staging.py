"""Replace the parts of an output folder only when everything was built.

A corpus is several files that belong together (the MeSH vocabulary and the splits made with
it); writing them in place let a failed run leave a new vocabulary beside an old corpus.
They are built in a temporary folder inside the output folder (same file system, so moving
is a rename) and swapped in at the end; a failure anywhere leaves the output as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replace_on_success(out_dir: Path, parts: Sequence[str]) -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds, each of ``parts`` built in it
    replaces the same-named file or folder of ``out_dir`` (one not built is left alone)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        yield staging
        _swap_in(staging, out_dir, [p for p in parts if (staging / p).exists()])
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out_dir: Path, parts: Sequence[str]) -> None:
    """Move each old part aside and the new one in; undo all of it if any move fails."""
    previous = staging / ".previous"
    previous.mkdir()
    done: list[str] = []
    try:
        for part in parts:
            if (out_dir / part).exists():
                (out_dir / part).rename(previous / part)
            (staging / part).rename(out_dir / part)
            done.append(part)
    except BaseException:
        for part in reversed(done):
            (out_dir / part).rename(staging / part)
        for part in parts:
            if (previous / part).exists() and not (out_dir / part).exists():
                (previous / part).rename(out_dir / part)
        raise
