"""JSON Lines reader: one article object per line, as :func:`write_jsonl` writes them.

Field names are the Article's (pmid, title, abstract, mesh_uis, mesh_names, major_topic,
journal, year, abstract_sections); BioASQ names (abstractText, meshMajor, meshUIs) are
accepted too, so a BioASQ file with its wrapper lines removed reads as it is. Blank lines
are ignored and are not records. Each line is decoded and parsed on its own, so one bad
line is one record error ("bad_encoding", "bad_json", "bad_record", "no_pmid").
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from multitask.data.errors import CorpusFormatError
from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import FILE_ERRORS, open_binary, read_failure
from tasks.pubmed.corpus._policy import ReadPolicy, corpus_reader, record_error
from tasks.pubmed.corpus._records import LINE_ERRORS, keep_json_record, line_error


@corpus_reader
def iter_jsonl(name: str, stats: ReadStats, policy: ReadPolicy) -> Iterator[Article]:
    """Stream Articles from a ``.jsonl`` (or ``.jsonl.gz``) file."""
    lineno = 0
    records = 0
    parsed = 0  # lines that were JSON at all: none means the file is not JSON Lines
    with open_binary(name) as fh:
        try:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                records += 1
                stats.read += 1
                where = f"line {lineno}"
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except LINE_ERRORS as exc:
                    record_error(stats, policy, name, where, *line_error(exc))
                    continue
                parsed += 1
                article = keep_json_record(obj, stats, policy, name, where)
                if article is not None:
                    yield article
        except FILE_ERRORS as exc:
            raise read_failure(name, f"line {lineno + 1}", records, exc) from exc
    if records == 0:
        raise CorpusFormatError(name, "line 1", "no records (only blank lines)")
    if parsed == 0:
        raise CorpusFormatError(name, "line 1", "not JSON Lines: no line is a JSON value")
