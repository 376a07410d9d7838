"""What `allennlp train` leaves in its serialization folder when it fails half-way.

A half-written folder makes the rerun stop with "already exists" or, worse, lets
``--recover`` resume from files cut short. A folder this run created is removed, one that
was empty is emptied; one being resumed (``--recover``), one that held files before the run,
or one that already holds a checkpoint of this run (resumable with ``--recover``) is never
touched.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunFolder:
    """A serialization folder as it was before the run."""

    path: Path
    existed: bool
    had_files: bool
    recover: bool

    @classmethod
    def before_run(cls, path: str | os.PathLike[str], recover: bool) -> RunFolder:
        folder = Path(path)
        existed = folder.is_dir()
        return cls(folder, existed, existed and any(folder.iterdir()), recover)

    def discard(self) -> str:
        """Remove what this run wrote; says what was done, for the error message."""
        if self.recover:
            return f"{self.path} was kept (--recover)"
        if self.had_files:
            return f"{self.path} was kept (it held files before this run)"
        if not self.path.exists():
            return f"nothing was left in {self.path}"
        if self.checkpoints():
            return (
                f"{self.path} was kept: it holds checkpoints of this run; free some space, "
                f"then resume with `allennlp train ... -s {self.path} --recover`"
            )
        _close_log_files(self.path)
        if not self.existed:
            shutil.rmtree(self.path, ignore_errors=True)
            return f"the unfinished serialization folder {self.path} was removed"
        for entry in self.path.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        return f"the serialization folder {self.path} was emptied, as it was before this run"

    def checkpoints(self) -> list[Path]:
        """Whole checkpoints this run saved (the atomic checkpointer renames a file into
        place only once it is written): hours of training that a full disk must not cost."""
        names = ("model_state_*.th", "training_state_*.th", "best.th")
        return [path for pattern in names for path in self.path.glob(pattern)]


def _close_log_files(folder: Path) -> None:
    """AllenNLP's log file (``out.log``) is open in the folder: close it before removal."""
    inside = str(folder.resolve()) + os.sep
    for logger in (logging.getLogger(), logging.getLogger("tqdm")):
        for handler in list(logger.handlers):
            name = getattr(handler, "baseFilename", None)
            if isinstance(name, str) and os.path.realpath(name).startswith(inside):
                logger.removeHandler(handler)
                handler.close()
