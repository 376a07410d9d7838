"""Errors about the user's input, shown on the command line as one clear message."""

from __future__ import annotations

import sys
from types import TracebackType


class UserInputError(ValueError):
    """Bad input that the user must fix (a file, a line, a field); the message says where."""


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, UserInputError):
        print(f"error: {error}", file=sys.stderr)
        return
    _previous_hook(kind, error, tb)


_previous_hook = sys.excepthook


def install_cli_excepthook() -> None:
    """On the command line, a ``UserInputError`` prints its message instead of a traceback."""
    if sys.excepthook is not _excepthook:
        sys.excepthook = _excepthook
