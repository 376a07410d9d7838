"""`allennlp train` checks its data paths and devices before it creates the serialization
folder, and a full disk while it runs is one line that leaves no half-written folder.

AllenNLP writes ``config.json`` into ``-s`` first and reads the data later, so a typo in a
data path gave a traceback and left a folder that made the corrected rerun fail with
"already exists". Local paths that do not exist, and a GPU this machine lacks, are now one
error line, and nothing is written. A disk that fills during the run (a reader caching what
it fitted, a checkpoint, the archive) ended in chained ``[Errno 28]`` tracebacks that named
no file; now the error names the file, what was written and the free space, and the folder
is left as a rerun needs it (see ``run_folder``).
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Iterator
from typing import Any

from allennlp.commands import train as train_command
from allennlp.common import Params

from multitask.cli.device_check import check_trainer_devices
from multitask.cli.disk_full import DiskFullError, describe, disk_full_error, watching_writes
from multitask.cli.run_folder import RunFolder
from multitask.errors import UserInputError, install_cli_excepthook

DATA_KEYS = ("train_data_path", "validation_data_path", "test_data_path")


class MissingDataError(UserInputError):
    """A data path of the training config names no file or folder."""


def _looks_local(value: str) -> bool:
    """A plain file path, as opposed to a URL, a glob, an archive member or a data set name."""
    if "://" in value or "!" in value or any(c in value for c in "*?["):
        return False
    return os.sep in value or bool(os.path.splitext(value)[1])


def data_paths(config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(config key, path) of every data path, ``key.task`` for multi-task dicts."""
    for key in DATA_KEYS:
        value = config.get(key)
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict):
            for task, path in value.items():
                if isinstance(path, str):
                    yield f"{key}.{task}", path


def check_data_paths(params: Params, serialization_dir: str | os.PathLike[str]) -> None:
    """Raise MissingDataError naming every local data path that does not exist."""
    config = params.as_dict(quiet=True)
    missing = [
        f"{key} {path}"
        for key, path in data_paths(config)
        if _looks_local(path) and not os.path.exists(os.path.expanduser(path))
    ]
    if missing:
        raise MissingDataError(
            f"no such file or folder: {'; '.join(missing)} (relative paths start at "
            f"{os.getcwd()}; nothing was written to {os.fspath(serialization_dir)})"
        )


def _checked_train_model(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def train_model(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        params, serialization_dir = bound.arguments["params"], bound.arguments["serialization_dir"]
        nothing_written = f"nothing was written to {os.fspath(serialization_dir)}"
        check_trainer_devices(params.as_dict(quiet=True), nothing_written)
        check_data_paths(params, serialization_dir)
        folder = RunFolder.before_run(serialization_dir, bound.arguments["recover"])
        try:
            with watching_writes():
                try:
                    return original(*args, **kwargs)
                except DiskFullError:
                    raise  # already said and cleaned up (a nested train_model)
                except Exception as error:
                    full = disk_full_error(error)
                    if full is None:
                        raise
                    message = describe(full)  # before the cleanup frees space
                    left = folder.discard()
                    advice = "" if "resume with" in left else "; free some space and rerun"
                    raise DiskFullError(f"{message}; {left}{advice}") from error
        finally:
            install_cli_excepthook()  # train's logging set its own hook: one line again

    train_model.__checked_by_multitask__ = True  # type: ignore[attr-defined]
    return train_model


def install_train_check() -> None:
    """Check ``train_model`` (behind `allennlp train` and its Python API) as above."""
    if not getattr(train_command.train_model, "__checked_by_multitask__", False):
        train_command.train_model = _checked_train_model(train_command.train_model)
