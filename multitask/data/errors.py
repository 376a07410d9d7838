"""Errors that always name the file and the place in it."""

from __future__ import annotations

from multitask.errors import UserInputError


class CorpusFormatError(UserInputError):
    """Bad input that a reader refuses: the message names the file and line or record."""

    def __init__(self, path: str, where: str, reason: str) -> None:
        self.path = str(path)
        self.where = where
        self.reason = reason
        super().__init__(f"{self.path}, {where}: {reason}")
