"""MEDLINE/PubMed XML reader on hand-written fixtures and broken files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from corpus_helpers import FIXTURES, assert_counts_add_up, gzip_copy

from tasks.pubmed.corpus import ReadStats, iter_medline_xml, read_articles
from multitask.data.errors import CorpusFormatError

SAMPLE = FIXTURES / "medline_sample.xml"


def read(path: Path, **kwargs: object) -> tuple[dict[str, object], ReadStats]:
    stats = ReadStats()
    articles = {a.pmid: a for a in iter_medline_xml(path, stats, **kwargs)}  # type: ignore[arg-type]
    assert_counts_add_up(stats)
    return articles, stats


def test_default_policy_keeps_articles_with_abstract_and_mesh() -> None:
    articles, stats = read(SAMPLE)
    assert sorted(articles) == ["1001", "1002", "1007"]
    assert stats.read == 10  # 7 citations + 1 book + 2 deleted PMIDs
    assert stats.kept == 3
    assert stats.skipped == {
        "no_abstract": 1,
        "no_mesh": 2,
        "no_title": 1,
        "book_article": 1,
        "deleted": 2,
    }
    assert stats.deleted_pmids == ["900001", "900002"]


def test_fields_markup_flattened_and_major_topics() -> None:
    articles, _ = read(SAMPLE)
    a = articles["1001"]
    assert a.title == "Expression of Escherichia coli beta-lactamase in CO2-rich media."
    assert a.abstract == "Plasmid-borne beta-lactamase was measured in E. coli grown under 5% CO2."
    assert a.abstract_sections == []
    assert a.mesh_uis == ["D004926", "D001618", "D002245"]
    assert a.mesh_names == ["Escherichia coli", "beta-Lactamases", "Carbon Dioxide"]
    # major on the descriptor, major through a qualifier, not major
    assert a.major_topic == [True, True, False]
    assert a.journal == "Journal of Hand-Written Fixtures"
    assert a.year == 1979
    assert a.source == f"{SAMPLE}:record 1"


def test_structured_abstract_and_medline_date() -> None:
    a = read(SAMPLE)[0]["1002"]
    assert a.abstract_sections == [
        ("BACKGROUND", "Why we looked."),
        ("METHODS", "How we looked."),
        ("RESULTS", "What we saw."),
    ]
    assert a.abstract == "BACKGROUND: Why we looked. METHODS: How we looked. RESULTS: What we saw."
    assert a.year == 1979  # from <MedlineDate>1979 Jul-Sep</MedlineDate>


def test_vernacular_title_medline_ta_and_missing_year() -> None:
    a = read(SAMPLE)[0]["1007"]
    assert a.title == "Un titre en français."
    assert a.journal == "Rev Fixtures"
    assert a.year is None


def test_relaxed_policy_keeps_missing_abstract_and_mesh() -> None:
    articles, stats = read(SAMPLE, require_abstract=False, require_mesh=False)
    assert sorted(articles) == ["1001", "1002", "1003", "1004", "1005", "1007"]
    assert articles["1003"].abstract == ""
    assert articles["1004"].mesh_names == [] and articles["1005"].mesh_names == []
    assert stats.skipped == {"no_title": 1, "book_article": 1, "deleted": 2}


def test_gzip_single_article_and_citation_set(tmp_path: Path) -> None:
    gz = gzip_copy(SAMPLE, tmp_path / "sample.xml.gz")
    assert [a.pmid for a in read_articles(gz)] == ["1001", "1002", "1007"]

    single, stats = read(FIXTURES / "single_article.xml")
    assert list(single) == ["2001"] and stats.read == 1

    old, stats = read(FIXTURES / "medline_citation_set.xml")
    assert list(old) == ["3001"]
    assert old["3001"].major_topic == [True, False]
    assert stats.skipped == {"no_abstract": 1, "deleted": 1}
    assert stats.deleted_pmids == ["26432306"]


def test_missing_pmid_raises_or_skips(tmp_path: Path) -> None:
    bad = tmp_path / "nopmid.xml"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace('<PMID Version="1">1002</PMID>', ""))
    with pytest.raises(CorpusFormatError, match=r"nopmid\.xml, record 2: record has no PMID"):
        list(iter_medline_xml(bad))
    articles, stats = read(bad, on_error="skip")
    assert sorted(articles) == ["1001", "1007"]
    assert stats.skipped["no_pmid"] == 1


def many_articles(n: int) -> bytes:
    """A PubmedArticleSet of ``n`` copies of the first sample article (distinct PMIDs)."""
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("<PubmedArticle>")
    one = text[start : text.index("</PubmedArticle>") + len("</PubmedArticle>")]
    body = "".join(one.replace(">1001<", f">{10_000 + i}<") for i in range(n))
    return f"<PubmedArticleSet>{body}</PubmedArticleSet>".encode()


def test_truncated_gzip_names_file_and_records_read(tmp_path: Path) -> None:
    data = gzip.compress(many_articles(3000))
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    stats = ReadStats()
    with pytest.raises(CorpusFormatError) as info:
        for _ in iter_medline_xml(cut, stats):
            pass
    message = str(info.value)
    assert message.startswith(f"{cut}, after record {stats.read}: cannot read (EOFError")
    assert 0 < stats.kept < 3000
    assert_counts_add_up(stats)


def test_small_truncated_gzip_fails_at_the_start(tmp_path: Path) -> None:
    data = gzip.compress(SAMPLE.read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorpusFormatError, match=r"cut\.xml\.gz, start of file: cannot read, 0 rec"):
        list(iter_medline_xml(cut))


def test_not_gzip_after_magic(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml.gz"
    bad.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(CorpusFormatError, match=r"bad\.xml\.gz"):
        list(iter_medline_xml(bad))


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    text = SAMPLE.read_text(encoding="utf-8").replace("</ArticleTitle>", "</ArticleTitel>", 2)
    bad.write_text(text, encoding="utf-8")
    stats = ReadStats()
    with pytest.raises(CorpusFormatError, match=r"bad\.xml, line \d+: malformed XML after 0 rec"):
        list(iter_medline_xml(bad, stats))
    assert_counts_add_up(stats)


def test_non_utf8_bytes_in_xml(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.xml"
    bad.write_bytes(SAMPLE.read_bytes().replace("français".encode(), "français".encode("latin-1")))
    with pytest.raises(CorpusFormatError, match=r"latin1\.xml, line \d+: malformed XML"):
        list(iter_medline_xml(bad))


def test_empty_and_wrong_root(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(CorpusFormatError, match=r"empty\.xml, line 1: empty file"):
        list(iter_medline_xml(empty))
    empty_gz = tmp_path / "empty.xml.gz"
    empty_gz.write_bytes(gzip.compress(b""))
    with pytest.raises(CorpusFormatError, match=r"empty\.xml\.gz, line 1: empty file"):
        list(iter_medline_xml(empty_gz))
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><rss><channel/></rss>")
    with pytest.raises(CorpusFormatError, match=r"other\.xml, line 1: not MEDLINE"):
        list(iter_medline_xml(other))


def test_empty_article_set_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "none.xml"
    path.write_text("<PubmedArticleSet></PubmedArticleSet>")
    articles, stats = read(path)
    assert articles == {} and stats.read == 0
