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
import re
from collections.abc import Iterator
from typing import IO, Any

from multitask.data.errors import CorpusFormatError
from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import FILE_ERRORS, open_binary, read_failure
from tasks.pubmed.corpus._policy import ReadPolicy, corpus_reader, record_error
from tasks.pubmed.corpus._records import LINE_ERRORS, keep_json_record, line_error

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


@corpus_reader
def iter_bioasq_json(name: str, stats: ReadStats, policy: ReadPolicy) -> Iterator[Article]:
    """Stream Articles from a BioASQ JSON file (``.json`` or ``.json.gz``)."""
    with open_binary(name) as fh:
        try:
            first = fh.readline()
        except FILE_ERRORS as exc:
            raise CorpusFormatError(name, "line 1", f"cannot read: {exc}") from exc
        line_layout, rest = _is_line_layout(first)
        if line_layout:
            yield from _iter_lines(fh, rest, name, stats, policy)
            return
    yield from _iter_whole(name, stats, policy)


def _iter_lines(
    fh: IO[bytes], rest_of_first: bytes, name: str, stats: ReadStats, policy: ReadPolicy
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
            except LINE_ERRORS as exc:
                record_error(stats, policy, name, where, *line_error(exc))
                continue
            article = keep_json_record(obj, stats, policy, name, where)
            if article is not None:
                yield article
    except FILE_ERRORS as exc:
        raise read_failure(name, f"line {lineno}", stats.read, exc) from exc
    if not closed:
        raise CorpusFormatError(
            name, f"line {lineno}", "file ends without the closing ']}' (truncated?)"
        )


def _iter_whole(name: str, stats: ReadStats, policy: ReadPolicy) -> Iterator[Article]:
    with open_binary(name) as fh:
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
        article = keep_json_record(obj, stats, policy, name, f"record {index}")
        if article is not None:
            yield article
