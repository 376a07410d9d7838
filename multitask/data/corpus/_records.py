"""Turning one decoded JSON object (BioASQ or Article field names) into an Article."""

from __future__ import annotations

from typing import Any

from multitask.data.article import Article
from multitask.data.corpus._common import parse_year, squash


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
