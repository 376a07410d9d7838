"""Turning one JSON record (BioASQ or Article field names) into a kept Article or a
counted skip: the per-record steps the BioASQ JSON and JSON Lines readers share."""

from __future__ import annotations

import json
from typing import Any

from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import parse_year, squash
from tasks.pubmed.corpus._policy import ReadPolicy, accept, record_error

#: What decoding one line of JSON can raise; :func:`line_error` names the skip reason.
LINE_ERRORS = (UnicodeDecodeError, json.JSONDecodeError)


class RecordError(ValueError):
    """One JSON record is unusable; ``reason`` is the ReadStats skip reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _str_list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError("bad_record", f"{key!r} is {type(value).__name__}, not a list")
    return value


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = squash(str(value))
    return text or None


def _parallel(values: list[Any], n: int, key: str) -> list[Any]:
    if len(values) != n:
        raise RecordError("bad_record", f"{key!r} has {len(values)} items for {n} headings")
    return values


def article_from_json(obj: Any, source: str | None) -> Article:
    """Build an Article from a BioASQ article (``abstractText``, ``meshMajor``, optional
    ``meshUIs``) or from :meth:`Article.to_json` field names. Raises RecordError."""
    if not isinstance(obj, dict):
        raise RecordError("bad_record", f"record is {type(obj).__name__}, not an object")
    pmid = obj.get("pmid")
    if pmid is None or isinstance(pmid, bool) or str(pmid).strip() == "":
        raise RecordError("no_pmid", "record has no pmid")
    title = squash(str(obj.get("title") or ""))
    abstract_value = obj.get("abstract", obj.get("abstractText"))
    abstract = squash(str(abstract_value or ""))
    if "mesh_names" in obj:
        names = _str_list(obj, "mesh_names")
    else:
        names = _str_list(obj, "meshMajor")
    names = [squash(str(n)) for n in names]
    n = len(names)
    if "mesh_uis" in obj or "meshUIs" in obj:
        uis = _str_list(obj, "mesh_uis" if "mesh_uis" in obj else "meshUIs")
        uis = [None if u is None else str(u) for u in _parallel(uis, n, "mesh UIs")]
    else:
        uis = [None] * n
    if "major_topic" in obj:
        major = [None if m is None else bool(m) for m in _str_list(obj, "major_topic")]
        major = _parallel(major, n, "major_topic")
    else:
        major = [None] * n
    sections: list[tuple[str, str]] = []
    for pair in _str_list(obj, "abstract_sections"):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise RecordError("bad_record", "abstract_sections items must be [label, text]")
        sections.append((str(pair[0]), str(pair[1])))
    return Article(
        pmid=str(pmid).strip(),
        title=title,
        abstract=abstract,
        mesh_uis=uis,
        mesh_names=names,
        major_topic=major,
        journal=_optional_str(obj.get("journal")),
        year=parse_year(obj.get("year")),
        abstract_sections=sections,
        source=source,
    )


def line_error(exc: UnicodeDecodeError | json.JSONDecodeError) -> tuple[str, str]:
    """The skip reason and message for a line that is not UTF-8 or not JSON."""
    if isinstance(exc, UnicodeDecodeError):
        return "bad_encoding", f"not UTF-8: {exc}"
    return "bad_json", f"malformed JSON ({exc.msg}, column {exc.colno})"


def keep_json_record(
    obj: Any, stats: ReadStats, policy: ReadPolicy, name: str, where: str
) -> Article | None:
    """The Article for one decoded record if the policy keeps it; None once it is counted
    as skipped. ``where`` is "line N" or "record N"; the source is ``name:N`` for a line."""
    try:
        article = article_from_json(obj, f"{name}:{where.removeprefix('line ')}")
    except RecordError as exc:
        record_error(stats, policy, name, where, exc.reason, str(exc))
        return None
    return article if accept(article, stats, policy, name, where) else None
