"""Helpers shared by the corpus readers: opening (gzip by magic bytes), the exceptions that
count as "bad file", and the small text helpers (years, whitespace) every format needs.

The keep/skip policy and the readers' shared signature live in ``_policy``.
"""

from __future__ import annotations

import re

from multitask.data.errors import CorpusFormatError
from multitask.data.files import FILE_ERRORS, GZIP_MAGIC, PathLike, open_binary, peek_text
from tasks.pubmed.corpus._policy import OnError

# Re-exported: the readers import these from here, and prepare.py imports OnError.
__all__ = [
    "FILE_ERRORS",
    "GZIP_MAGIC",
    "OnError",
    "PathLike",
    "open_binary",
    "parse_year",
    "peek_text",
    "read_failure",
    "squash",
]

_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")


def parse_year(value: object) -> int | None:
    """A year from an int, "2012", "1979 Jul-Sep" or "Winter 1998-1999"; None if absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


def squash(text: str) -> str:
    """Collapse runs of whitespace (pretty-printed XML, wrapped text lines) to one space."""
    return " ".join(text.split())


def read_failure(name: str, where: str, records: int, exc: BaseException) -> CorpusFormatError:
    """The error for a file that breaks off mid-read (truncated gzip, I/O error): it says
    how far the read got, so a damaged download is told apart from a bad record."""
    return CorpusFormatError(
        name, where, f"cannot read after {records} records ({type(exc).__name__}: {exc})"
    )
