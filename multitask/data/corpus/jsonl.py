"""JSON Lines reader: one article object per line, as :func:`write_jsonl` writes them.

Field names are the Article's (pmid, title, abstract, mesh_uis, mesh_names, major_topic,
journal, year, abstract_sections); BioASQ names (abstractText, meshMajor, meshUIs) are
accepted too, so a BioASQ file with its wrapper lines removed reads as it is. Blank lines
are ignored and are not records. Each line is decoded and parsed on its own, so one bad
line is one record error ("bad_encoding", "bad_json", "bad_record", "no_pmid").
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

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


def iter_jsonl(
    path: PathLike,
    stats: ReadStats | None = None,
    *,
    require_abstract: bool = True,
    require_mesh: bool = True,
    require_text: bool = True,
    on_error: OnError = "raise",
) -> Iterator[Article]:
    """Stream Articles from a ``.jsonl`` (or ``.jsonl.gz``) file."""
    check_on_error(on_error)
    stats = stats if stats is not None else ReadStats()
    name = os.fspath(path)
    lineno = 0
    records = 0
    parsed = 0  # lines that were JSON at all: none means the file is not JSON Lines
    with open_binary(path) as fh:
        try:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                records += 1
                stats.read += 1
                where = f"line {lineno}"
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    record_error(stats, on_error, name, where, "bad_encoding", f"not UTF-8: {exc}")
                    continue
                except json.JSONDecodeError as exc:
                    message = f"malformed JSON ({exc.msg}, column {exc.colno})"
                    record_error(stats, on_error, name, where, "bad_json", message)
                    continue
                parsed += 1
                try:
                    article = article_from_json(obj, f"{name}:{lineno}")
                except RecordError as exc:
                    record_error(stats, on_error, name, where, exc.reason, str(exc))
                    continue
                if accept(
                    article,
                    stats,
                    require_abstract=require_abstract,
                    require_mesh=require_mesh,
                    require_text=require_text,
                    where=f"{name}, {where} (PMID {article.pmid})",
                ):
                    yield article
        except FILE_ERRORS as exc:
            raise CorpusFormatError(
                name,
                f"line {lineno + 1}",
                f"cannot read after {records} records ({type(exc).__name__}: {exc})",
            ) from exc
    if records == 0:
        raise CorpusFormatError(name, "line 1", "no records (only blank lines)")
    if parsed == 0:
        raise CorpusFormatError(name, "line 1", "not JSON Lines: no line is a JSON value")
