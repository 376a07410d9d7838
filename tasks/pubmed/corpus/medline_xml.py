"""MEDLINE / PubMed XML reader (baseline and update files, efetch output), streamed.

Memory stays flat on a whole baseline: ``lxml.etree.iterparse`` fires only on the end of
record elements, and each record is cleared (with the already-processed siblings before
it) as soon as it has been turned into an :class:`Article`.

Records are ``PubmedArticle`` (``PubmedArticleSet`` files), bare ``MedlineCitation``
(older ``MedlineCitationSet`` files and single-citation files), ``DeleteCitation`` (each
PMID in it is one record, skipped as "deleted" and listed in ``stats.deleted_pmids``)
and ``PubmedBookArticle`` (skipped as "book_article": books carry no MeSH indexing).

Structured abstracts: ``abstract_sections`` holds (Label, text) for every AbstractText,
and ``abstract`` is "LABEL: text LABEL: text", which is what PubMed's MEDLINE text export
(``AB`` field) shows, so the XML and text readers give the same string for one article.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from multitask.data.errors import CorpusFormatError
from multitask.data.files import iter_xml_records
from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import FILE_ERRORS, open_binary, parse_year, squash
from tasks.pubmed.corpus._policy import (
    ReadPolicy,
    accept,
    corpus_reader,
    record_error,
    skip_record,
    text_skip_reason,
)

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation", "MedlineCitation")
_ROOT_TAGS = frozenset(
    {"PubmedArticleSet", "MedlineCitationSet", "PubmedArticle", "MedlineCitation"}
)


def _text(elem: etree._Element | None) -> str:
    """All text under ``elem`` with inline markup (<i>, <sup>, ...) flattened."""
    if elem is None:
        return ""
    return squash("".join(elem.itertext()))


def _abstract(article: etree._Element | None) -> tuple[str, list[tuple[str, str]]]:
    if article is None:
        return "", []
    parts = article.findall("Abstract/AbstractText")
    if not parts:
        return "", []
    texts = [_text(p) for p in parts]
    labels = [p.get("Label") for p in parts]
    if not any(labels):
        return " ".join(t for t in texts if t), []
    sections = [(label or "", text) for label, text in zip(labels, texts)]
    joined = " ".join(f"{label}: {text}" if label else text for label, text in sections if text)
    return joined, sections


def _mesh(citation: etree._Element) -> tuple[list[str | None], list[str], list[bool | None]]:
    uis: list[str | None] = []
    names: list[str] = []
    major: list[bool | None] = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        if descriptor is None:
            continue
        name = descriptor.text
        name = name.strip() if name and len(descriptor) == 0 else _text(descriptor)
        if not name:
            continue
        uis.append(descriptor.get("UI"))
        names.append(name)
        major.append(
            descriptor.get("MajorTopicYN") == "Y"
            or heading.find("QualifierName[@MajorTopicYN='Y']") is not None
        )
    return uis, names, major


def _year(article: etree._Element | None) -> int | None:
    if article is None:
        return None
    pub_date = article.find("Journal/JournalIssue/PubDate")
    if pub_date is None:
        return None
    year = pub_date.findtext("Year")
    if year:
        return parse_year(year)
    return parse_year(pub_date.findtext("MedlineDate"))


def _title(article: etree._Element | None) -> str:
    if article is None:
        return ""
    return _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))


def _journal(citation: etree._Element, article: etree._Element | None) -> str | None:
    journal = None
    if article is not None:
        journal = squash(article.findtext("Journal/Title") or "") or None
    if journal is None:
        journal = squash(citation.findtext("MedlineJournalInfo/MedlineTA") or "") or None
    return journal


def parse_citation(citation: etree._Element, source: str | None = None) -> Article:
    """Turn one ``MedlineCitation`` element into an Article (no keep/skip policy applied)."""
    article = citation.find("Article")
    abstract, sections = _abstract(article)
    return _finish(citation, article, _title(article), abstract, sections, source)


def _finish(
    citation: etree._Element,
    article: etree._Element | None,
    title: str,
    abstract: str,
    sections: list[tuple[str, str]],
    source: str | None,
) -> Article:
    uis, names, major = _mesh(citation)
    return Article(
        pmid=(citation.findtext("PMID") or "").strip(),
        title=title,
        abstract=abstract,
        mesh_uis=uis,
        mesh_names=names,
        major_topic=major,
        journal=_journal(citation, article),
        year=_year(article),
        abstract_sections=sections,
        source=source,
    )


def _release(elem: etree._Element) -> None:
    """Free a processed record and every earlier sibling still attached to the root."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


@corpus_reader
def iter_medline_xml(name: str, stats: ReadStats, policy: ReadPolicy) -> Iterator[Article]:
    """Stream Articles from a MEDLINE/PubMed XML file (``.xml`` or ``.xml.gz``).

    Malformed XML, a truncated gzip or a root that is not MEDLINE raise CorpusFormatError
    naming the file, the line where known and how many records were read before it.
    """
    records = 0
    with open_binary(name) as fh:
        context = iter_xml_records(fh, _RECORD_TAGS)
        try:
            for _, elem in context:
                tag = elem.tag
                if tag == "MedlineCitation":
                    parent = elem.getparent()
                    if parent is not None and parent.tag != "MedlineCitationSet":
                        continue  # part of a PubmedArticle: handled at its end event
                    citation = elem
                elif tag == "PubmedArticle":
                    citation = elem.find("MedlineCitation")
                elif tag == "DeleteCitation":
                    for pmid_elem in elem.iterfind("PMID"):
                        records += 1
                        stats.read += 1
                        pmid = (pmid_elem.text or "").strip()
                        stats.deleted_pmids.append(pmid)
                        stats.skip("deleted", f"{name}, record {records} (PMID {pmid})")
                    _release(elem)
                    continue
                else:  # PubmedBookArticle
                    records += 1
                    stats.read += 1
                    stats.skip("book_article", f"{name}, record {records}")
                    _release(elem)
                    continue

                records += 1
                stats.read += 1
                where = f"record {records}"
                if citation is None:
                    record_error(stats, policy, name, where, "no_pmid", "no MedlineCitation")
                    _release(elem)
                    continue
                pmid = (citation.findtext("PMID") or "").strip()
                if not pmid:
                    _release(elem)
                    record_error(stats, policy, name, where, "no_pmid", "record has no PMID")
                    continue
                # Text first: about half of a baseline has no abstract, and dropping those
                # before parsing MeSH, journal and year is most of this reader's speed.
                article = citation.find("Article")
                title = _title(article)
                abstract, sections = _abstract(article)
                reason = text_skip_reason(title, abstract, policy)
                if reason is not None:
                    _release(elem)
                    skip_record(stats, reason, name, where, pmid)
                    continue
                art = _finish(citation, article, title, abstract, sections, f"{name}:{where}")
                _release(elem)
                if accept(art, stats, policy, name, where):
                    yield art
        except etree.XMLSyntaxError as exc:
            line = getattr(exc, "lineno", None) or (exc.position[0] if exc.position else 0)
            raise CorpusFormatError(
                name,
                f"line {line}" if line else f"after record {records}",
                f"malformed XML after {records} records: {exc.msg or exc}",
            ) from exc
        except FILE_ERRORS as exc:
            raise CorpusFormatError(
                name, f"after record {records}", f"cannot read ({type(exc).__name__}: {exc})"
            ) from exc
        root = context.root
    if root is not None and records == 0 and root.tag not in _ROOT_TAGS:
        raise CorpusFormatError(
            name, "line 1", f"not MEDLINE/PubMed XML: root element <{root.tag}>"
        )
