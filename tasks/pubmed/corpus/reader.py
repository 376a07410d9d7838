"""``read_articles``: one entry point over every corpus format, chosen by name or content."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import asdict

from multitask.data.errors import CorpusFormatError
from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import PathLike, peek_text
from tasks.pubmed.corpus._policy import OnError, Reader, ReadPolicy
from tasks.pubmed.corpus.bioasq_json import iter_bioasq_json
from tasks.pubmed.corpus.jsonl import iter_jsonl
from tasks.pubmed.corpus.medline_text import iter_medline_text
from tasks.pubmed.corpus.medline_xml import iter_medline_xml

READERS: dict[str, Reader] = {
    "medline_xml": iter_medline_xml,
    "bioasq_json": iter_bioasq_json,
    "medline_text": iter_medline_text,
    "jsonl": iter_jsonl,
}

_SUFFIXES = {
    ".xml": "medline_xml",
    ".json": "bioasq_json",
    ".jsonl": "jsonl",
    ".txt": "medline_text",
    ".nbib": "medline_text",
    ".medline": "medline_text",
}
_MEDLINE_TEXT_LINE = re.compile(r"^[A-Z][A-Z0-9]{0,3} {0,3}- ")
_BIOASQ_HEAD = re.compile(r'^\{\s*"(articles|documents)"\s*:')


def detect_format(path: PathLike) -> str:
    """The format of ``path``: by suffix (``.gz`` ignored), else by sniffing its first
    bytes (``<`` XML, ``{"articles"``/``[`` BioASQ JSON, other ``{`` JSON Lines,
    ``TAG - `` MEDLINE text). Raises CorpusFormatError when neither tells."""
    name = os.fspath(path)
    base = name[:-3] if name.endswith(".gz") else name
    suffix = os.path.splitext(base)[1].lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    head = peek_text(path)
    if head.startswith("<"):
        return "medline_xml"
    if _BIOASQ_HEAD.match(head) or head.startswith("["):
        return "bioasq_json"
    if head.startswith("{"):
        return "jsonl"
    if _MEDLINE_TEXT_LINE.match(head):
        return "medline_text"
    raise CorpusFormatError(
        name, "line 1", f"cannot tell the corpus format from the name or from {head[:30]!r}"
    )


def read_articles(
    path: PathLike,
    format: str = "auto",
    *,
    stats: ReadStats | None = None,
    require_abstract: bool = True,
    require_mesh: bool = True,
    require_text: bool = True,
    on_error: OnError = "raise",
) -> Iterator[Article]:
    """Stream the Articles of one corpus file, counting every record in ``stats``.

    ``format`` is "auto" or one of :data:`READERS`. ``on_error="skip"`` turns
    record-level problems into counted skips; file-level ones always raise
    CorpusFormatError naming the file. ``require_text=False`` keeps records whose title or
    abstract (or both) are empty: prediction input, where every PMID must be answered.
    """
    policy = ReadPolicy(require_abstract, require_mesh, require_text, on_error)
    if format == "auto":
        format = detect_format(path)
    if format not in READERS:
        raise ValueError(f"unknown corpus format {format!r}; expected auto or {sorted(READERS)}")
    return READERS[format](path, stats, **asdict(policy))
