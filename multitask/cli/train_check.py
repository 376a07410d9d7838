"""`allennlp train` checks its data paths before it creates the serialization folder.

AllenNLP writes ``config.json`` into ``-s`` first and reads the data later, so a typo in a
data path gave a traceback and left a folder that made the corrected rerun fail with
"already exists". Local paths that do not exist are now one error line, and nothing is
written.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

from allennlp.commands import train as train_command
from allennlp.common import Params

from multitask.errors import UserInputError

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
    @functools.wraps(original)
    def train_model(params: Params, serialization_dir: Any, *args: Any, **kwargs: Any) -> Any:
        check_data_paths(params, serialization_dir)
        return original(params, serialization_dir, *args, **kwargs)

    train_model.__checked_by_multitask__ = True  # type: ignore[attr-defined]
    return train_model


def install_train_check() -> None:
    """Check data paths in ``train_model`` (behind `allennlp train` and its Python API)."""
    if not getattr(train_command.train_model, "__checked_by_multitask__", False):
        train_command.train_model = _checked_train_model(train_command.train_model)
