"""Helpers shared by the corpus readers: opening (gzip by magic bytes), the keep/skip
policy, record-level error handling and the exceptions that count as "bad file"."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Literal

from multitask.data.article import Article
from multitask.data.corpus.read_stats import ReadStats
from multitask.data.errors import CorpusFormatError

OnError = Literal["raise", "skip"]
PathLike = str | os.PathLike[str]

GZIP_MAGIC = b"\x1f\x8b"

#: Low-level exceptions that mean "this file is damaged or not what we think"; readers
#: re-raise them as CorpusFormatError so the message always names the file.
FILE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes gzip.BadGzipFile
    EOFError,  # truncated gzip
    zlib.error,
    UnicodeDecodeError,
    json.JSONDecodeError,
)

_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")


def check_on_error(on_error: str) -> None:
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")


@contextmanager
def open_binary(path: PathLike) -> Iterator[IO[bytes]]:
    """Open ``path`` for binary reading, gunzipping when it starts with the gzip magic.

    Detection is by content, not by name, so a mis-named file still reads. An empty file
    (or an empty gzip member) raises CorpusFormatError here, before any parser sees it.
    """
    name = os.fspath(path)
    try:
        raw = open(name, "rb")
    except OSError as exc:
        raise CorpusFormatError(name, "open", str(exc)) from exc
    try:
        fh: IO[bytes]
        if raw.peek(2)[:2] == GZIP_MAGIC:
            fh = gzip.GzipFile(fileobj=raw, mode="rb")
            buffered: IO[bytes] = io.BufferedReader(fh, buffer_size=1 << 18)  # type: ignore[arg-type]
        else:
            buffered = raw
        try:
            first = buffered.peek(1)[:1]  # type: ignore[attr-defined]
        except FILE_ERRORS as exc:
            raise CorpusFormatError(
                name, "start of file", f"cannot read, 0 records read ({type(exc).__name__}: {exc})"
            ) from exc
        if not first:
            raise CorpusFormatError(name, "line 1", "empty file")
        yield buffered
    finally:
        raw.close()


def peek_text(path: PathLike, size: int = 4096) -> str:
    """The first ``size`` bytes of the (decompressed) file as text, for format sniffing."""
    with open_binary(path) as fh:
        try:
            head = fh.peek(size)[:size]  # type: ignore[attr-defined]
        except FILE_ERRORS as exc:
            raise CorpusFormatError(os.fspath(path), "byte 0", f"cannot read: {exc}") from exc
    return head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


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


def record_error(
    stats: ReadStats, on_error: OnError, path: str, where: str, reason: str, message: str
) -> None:
    """A recoverable problem with one record: raise, or count it as skipped ``reason``."""
    if on_error == "raise":
        raise CorpusFormatError(path, where, message)
    stats.skip(reason, f"{path}, {where}: {message}")


def text_skip_reason(
    title: str, abstract: str, *, require_abstract: bool, require_text: bool = True
) -> str | None:
    """The skip reason the text alone decides (steps 2-3 of :func:`accept`), else None.

    Separate so that a reader can drop a record before parsing its MeSH headings.
    """
    if not require_text:
        return None
    if not abstract:
        if not title or require_abstract:
            return "no_abstract"
        return None
    if not title:
        return "no_title"
    return None


def accept(
    article: Article,
    stats: ReadStats,
    *,
    require_abstract: bool,
    require_mesh: bool,
    where: str,
    require_text: bool = True,
) -> bool:
    """Apply the shared keep/skip policy to one parsed record and count the outcome.

    Order (first match wins, so each record gets exactly one reason):

    1. no pmid                       -> a record error, "no_pmid" (raised unless
                                        ``on_error="skip"``), handled by the readers
    2. no abstract                   -> "no_abstract" if ``require_abstract`` or if the
                                        title is empty too (nothing to index); else kept
                                        with abstract ""
    3. no title                      -> "no_title" (an abstract without a title is kept
                                        out: it is almost always a broken record)
    4. no MeSH headings              -> "no_mesh" if ``require_mesh``, else kept with []

    ``require_text=False`` skips steps 2 and 3 (prediction input: every PMID is answered).
    """
    reason = text_skip_reason(
        article.title, article.abstract, require_abstract=require_abstract, require_text=require_text
    )
    if reason is None and require_mesh and not article.mesh_names:
        reason = "no_mesh"
    if reason is not None:
        stats.skip(reason, where)
        return False
    stats.kept += 1
    return True
