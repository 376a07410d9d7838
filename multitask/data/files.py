"""Opening data files of any task: gzip by magic bytes, and the low-level exceptions that
mean "this file is damaged", re-raised as a CorpusFormatError that names the file."""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from multitask.data.errors import CorpusFormatError

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


def iter_xml_records(stream: IO[bytes], tags: str | tuple[str, ...]) -> Any:
    """``etree.iterparse`` over ``stream``'s ``end`` events of ``tags``, with what an
    untrusted file needs: no entity expansion, no DTD, no network; large documents allowed
    (a PubMed baseline file is one tree of 30k records)."""
    from lxml import etree

    return etree.iterparse(
        stream,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,
    )
