"""BioASQ Task A JSON reader (``allMeSH_*.json`` training files and test files), streamed.

The official training file is 25 GB, so it is never loaded whole: its layout is one
article object per line, between a first line ``{"articles":[`` and a last line ``]}``,
each article line ending in a comma except the last. Each line is parsed on its own,
so an error names ``file:line`` and ``on_error="skip"`` can drop just that line.

A file not in that layout (pretty-printed, or all on one line, as BioASQ *test* files
``{"documents":[...]}`` are) is loaded whole with ``json.loads``, but only when it is
under 50 MB decompressed; a bigger one raises CorpusFormatError rather than fill memory.

Fields: pmid (int or str), title, abstractText, meshMajor (names), journal and year
(null, str or int). ``meshUIs`` (descriptor UIs parallel to meshMajor) is not BioASQ's
but this project's writer adds it; without it ``mesh_uis`` is all None. BioASQ does not
mark major topics, so ``major_topic`` is all None.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator
from typing import Any

from multitask.data.article import Article
from multitask.data.corpus._common import (
    FILE_ERRORS,
    OnError,
    PathLike,
    accept,
    check_on_error,
    open_binary,
    record_error,
)
from multitask.data.corpus._records import RecordError, article_from_json
from multitask.data.corpus.read_stats import ReadStats
from multitask.data.errors import CorpusFormatError

#: Largest file (decompressed bytes) that may be loaded whole when not in line layout.
SMALL_FILE_BYTES = 50 * 1024 * 1024

_HEADER = re.compile(rb'^\s*\{\s*"(articles|documents)"\s*:\s*\[')
_CLOSE = b"]}"


def _parse_line(body: bytes) -> tuple[Any, bool]:
    """Decode one article line; returns (object, closes_the_array)."""
    text = body.decode("utf-8").strip()
    try:
        return json.loads(text.rstrip(",").rstrip()), False
    except json.JSONDecodeError:
        # The last article may share its line with the closing "]}".
        if text.endswith("]}"):
            return json.loads(text[:-2].rstrip().rstrip(",")), True
        raise


def _is_line_layout(first_line: bytes) -> tuple[bool, bytes]:
    """Whether line 1 is the BioASQ header (and what follows it on that line)."""
    match = _HEADER.match(first_line)
    if match is None:
        return False, b""
    rest = first_line[match.end() :].strip()
    if not rest:
        return True, b""
    try:
        _parse_line(rest)
    except (ValueError, UnicodeDecodeError):
        return False, b""  # e.g. the whole array on one line: not line layout
    return True, rest


def _handle(
    obj_or_exc: Any,
    stats: ReadStats,
    name: str,
    where: str,
    *,
    require_abstract: bool,
    require_mesh: bool,
    require_text: bool,
    on_error: OnError,
) -> Article | None:
    try:
        article = article_from_json(obj_or_exc, f"{name}:{where.removeprefix('line ')}")
    except RecordError as exc:
        record_error(stats, on_error, name, where, exc.reason, str(exc))
        return None
    keep = accept(
        article,
        stats,
        require_abstract=require_abstract,
        require_mesh=require_mesh,
        require_text=require_text,
        where=f"{name}, {where} (PMID {article.pmid})",
    )
    return article if keep else None


def iter_bioasq_json(
    path: PathLike,
    stats: ReadStats | None = None,
    *,
    require_abstract: bool = True,
    require_mesh: bool = True,
    require_text: bool = True,
    on_error: OnError = "raise",
) -> Iterator[Article]:
    """Stream Articles from a BioASQ JSON file (``.json`` or ``.json.gz``)."""
    check_on_error(on_error)
    stats = stats if stats is not None else ReadStats()
    name = os.fspath(path)
    policy = {
        "require_abstract": require_abstract,
        "require_mesh": require_mesh,
        "require_text": require_text,
    }
    with open_binary(path) as fh:
        try:
            first = fh.readline()
        except FILE_ERRORS as exc:
            raise CorpusFormatError(name, "line 1", f"cannot read: {exc}") from exc
        line_layout, rest = _is_line_layout(first)
        if line_layout:
            yield from _iter_lines(fh, rest, stats, name, policy, on_error)
            return
    yield from _iter_whole(path, stats, name, policy, on_error)


def _iter_lines(
    fh: Any,
    rest_of_first: bytes,
    stats: ReadStats,
    name: str,
    policy: dict[str, bool],
    on_error: OnError,
) -> Iterator[Article]:
    closed = False
    lineno = 1
    lines: Iterator[tuple[int, bytes]] = iter([(1, rest_of_first)] if rest_of_first else [])
    try:
        for lineno, raw in itertools.chain(lines, enumerate(fh, start=2)):
            body = raw.strip()
            if not body:
                continue
            if closed:
                raise CorpusFormatError(name, f"line {lineno}", "data after the closing ']}'")
            if body == _CLOSE:
                closed = True
                continue
            where = f"line {lineno}"
            stats.read += 1
            try:
                obj, closed = _parse_line(body)
            except UnicodeDecodeError as exc:
                record_error(stats, on_error, name, where, "bad_encoding", f"not UTF-8: {exc}")
                continue
            except json.JSONDecodeError as exc:
                message = f"malformed JSON ({exc.msg}, column {exc.colno})"
                record_error(stats, on_error, name, where, "bad_json", message)
                continue
            article = _handle(obj, stats, name, where, on_error=on_error, **policy)
            if article is not None:
                yield article
    except FILE_ERRORS as exc:
        raise CorpusFormatError(
            name,
            f"line {lineno}",
            f"cannot read after {stats.read} records ({type(exc).__name__}: {exc})",
        ) from exc
    if not closed:
        raise CorpusFormatError(
            name, f"line {lineno}", "file ends without the closing ']}' (truncated?)"
        )


def _iter_whole(
    path: PathLike, stats: ReadStats, name: str, policy: dict[str, bool], on_error: OnError
) -> Iterator[Article]:
    with open_binary(path) as fh:
        try:
            data = fh.read(SMALL_FILE_BYTES + 1)
        except FILE_ERRORS as exc:
            raise CorpusFormatError(name, "byte 0", f"cannot read: {exc}") from exc
    if len(data) > SMALL_FILE_BYTES:
        raise CorpusFormatError(
            name,
            "line 1",
            "not in the BioASQ line layout ('{\"articles\":[' then one article per line) "
            f"and over {SMALL_FILE_BYTES >> 20} MB, too big to load whole",
        )
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CorpusFormatError(name, f"byte {exc.start}", "not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CorpusFormatError(
            name, f"line {exc.lineno}", f"not JSON ({exc.msg}, column {exc.colno})"
        ) from exc
    if isinstance(document, dict):
        records = document.get("articles", document.get("documents"))
    else:
        records = document
    if not isinstance(records, list):
        raise CorpusFormatError(
            name, "line 1", 'not BioASQ JSON: expected {"articles": [...]} or a list'
        )
    for index, obj in enumerate(records, start=1):
        stats.read += 1
        article = _handle(obj, stats, name, f"record {index}", on_error=on_error, **policy)
        if article is not None:
            yield article
