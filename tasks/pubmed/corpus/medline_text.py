"""MEDLINE text format reader (PubMed's ``.nbib`` / "MEDLINE" export), streamed.

Records are separated by blank lines (a new ``PMID-`` line also starts one). A field line
has its tag in columns 0-3, ``"- "`` in columns 4-5 and the value from column 6; a
continuation line starts with six spaces and is joined to the value with one space.

Used fields: PMID, TI (title), AB (abstract), MH (heading: the descriptor is the part
before any ``/qualifier``; a ``*`` on the descriptor or on any qualifier marks a major
topic), JT (journal title, else TA), DP (year: its first four-digit year). The format has
no descriptor UIs, so ``mesh_uis`` is all None. Lines are decoded one by one, so a
non-UTF-8 line only spoils its record ("bad_encoding" with ``on_error="skip"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from multitask.data.errors import CorpusFormatError
from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import FILE_ERRORS, open_binary, parse_year, read_failure
from tasks.pubmed.corpus._policy import ReadPolicy, accept, corpus_reader, record_error

_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_NOT_TEXT = "not MEDLINE text (no 'TAG - value' line)"


class _Record:
    """Fields of one record being collected, plus where it started and whether it is bad."""

    __slots__ = ("fields", "start", "bad")

    def __init__(self, start: int) -> None:
        self.fields: list[tuple[str, str]] = []
        self.start = start
        self.bad: tuple[str, str, str] | None = None  # (reason, where, message)


def _heading(value: str) -> tuple[str, bool]:
    major = "*" in value
    descriptor = value.split("/", 1)[0].replace("*", "").strip()
    return descriptor, major


def _to_article(record: _Record, source: str) -> Article:
    first: dict[str, str] = {}
    names: list[str] = []
    major: list[bool | None] = []
    for tag, value in record.fields:
        if tag == "MH":
            name, is_major = _heading(value)
            if name:
                names.append(name)
                major.append(is_major)
        elif tag not in first:
            first[tag] = value
    return Article(
        pmid=first.get("PMID", "").strip(),
        title=first.get("TI", "").strip(),
        abstract=first.get("AB", "").strip(),
        mesh_uis=[None] * len(names),
        mesh_names=names,
        major_topic=major,
        journal=(first.get("JT") or first.get("TA") or "").strip() or None,
        year=parse_year(first.get("DP")),
        source=source,
    )


def _finish(record: _Record, name: str, stats: ReadStats, policy: ReadPolicy) -> Article | None:
    """Count one collected record; its Article if the policy keeps it."""
    where = f"record at line {record.start}"
    stats.read += 1
    if record.bad is not None:
        reason, bad_where, message = record.bad
        record_error(stats, policy, name, bad_where, reason, message)
        return None
    article = _to_article(record, f"{name}:{record.start}")
    if not article.pmid:
        record_error(stats, policy, name, where, "no_pmid", "record has no PMID")
        return None
    return article if accept(article, stats, policy, name, where) else None


@corpus_reader
def iter_medline_text(name: str, stats: ReadStats, policy: ReadPolicy) -> Iterator[Article]:
    """Stream Articles from a MEDLINE text file (``.txt``, ``.nbib``, ``.medline``)."""
    record: _Record | None = None
    lineno = 0
    seen_field = False
    with open_binary(name) as fh:
        try:
            for lineno, raw in enumerate(fh, start=1):
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    if record is None:
                        record = _Record(lineno)
                    record.bad = record.bad or ("bad_encoding", f"line {lineno}", "not UTF-8")
                    continue
                if not line.strip():
                    if record is not None:
                        article = _finish(record, name, stats, policy)
                        record = None
                        if article is not None:
                            yield article
                    continue
                if line[:1] in " \t":  # continuation (six spaces in PubMed's output)
                    if not seen_field:
                        raise CorpusFormatError(name, f"line {lineno}", _NOT_TEXT)
                    if record is not None and record.fields:
                        tag, value = record.fields[-1]
                        record.fields[-1] = (tag, f"{value} {line.strip()}")
                        continue
                    if record is None:
                        record = _Record(lineno)
                    record.bad = record.bad or (
                        "bad_record",
                        f"line {lineno}",
                        "continuation line outside a field",
                    )
                    continue
                match = _FIELD.match(line)
                if match is None:
                    if not seen_field:
                        raise CorpusFormatError(name, f"line {lineno}", _NOT_TEXT)
                    if record is None:
                        record = _Record(lineno)
                    record.bad = record.bad or (
                        "bad_record",
                        f"line {lineno}",
                        f"not a 'TAG - value' line: {line[:40]!r}",
                    )
                    continue
                seen_field = True
                tag, value = match.group(1), match.group(2)
                if tag == "PMID" and record is not None and record.fields:
                    # A new PMID without a blank line before it ends the record so far.
                    article = _finish(record, name, stats, policy)
                    record = None
                    if article is not None:
                        yield article
                if record is None:
                    record = _Record(lineno)
                record.fields.append((tag, value.strip()))
        except FILE_ERRORS as exc:
            raise read_failure(name, f"line {lineno + 1}", stats.read, exc) from exc
    if record is not None:
        article = _finish(record, name, stats, policy)
        if article is not None:
            yield article
    if not seen_field:
        raise CorpusFormatError(name, "line 1", _NOT_TEXT)
