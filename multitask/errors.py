"""Errors shown on the command line as one clear message: their text says what went wrong and
what to do, and a traceback would only bury it."""

from __future__ import annotations

import sys
from types import TracebackType


class CommandLineError(Exception):
    """An error whose message is all the user needs (printed as ``error: ...``, exit 1)."""


class UserInputError(CommandLineError, ValueError):
    """Bad input that the user must fix (a file, a line, a field); the message says where."""


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, CommandLineError):
        print(f"error: {error}", file=sys.stderr)
        return
    _previous_hook(kind, error, tb)


_previous_hook = sys.excepthook


def install_cli_excepthook() -> None:
    """On the command line, a ``CommandLineError`` prints its message instead of a traceback.

    Called again after `allennlp train` set up its logging, whose own hook logs every uncaught
    error with its traceback: that hook then handles the other errors."""
    global _previous_hook
    if sys.excepthook is not _excepthook:
        _previous_hook = sys.excepthook
        sys.excepthook = _excepthook
