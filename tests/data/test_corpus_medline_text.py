"""MEDLINE text (.nbib) reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_helpers import FIXTURES, assert_counts_add_up, gzip_copy

from tasks.pubmed.corpus import ReadStats, iter_medline_text, read_articles
from multitask.data.errors import CorpusFormatError

SAMPLE = FIXTURES / "sample.nbib"


def read(path: Path, **kwargs: object) -> tuple[dict, ReadStats]:
    stats = ReadStats()
    articles = {a.pmid: a for a in iter_medline_text(path, stats, **kwargs)}  # type: ignore[arg-type]
    assert_counts_add_up(stats)
    return articles, stats


def test_fields_continuations_and_major_topics() -> None:
    articles, stats = read(SAMPLE)
    assert list(articles) == ["8001"]
    assert stats.skipped == {"no_abstract": 1, "no_mesh": 1}
    a = articles["8001"]
    assert a.title == "A title that is long enough to wrap onto a second line."
    assert a.abstract == (
        "BACKGROUND: The abstract also wraps over two lines. RESULTS: It has labels."
    )
    assert a.mesh_names == ["Algorithms", "Databases, Protein", "Humans", "Software"]
    assert a.major_topic == [True, True, False, True]
    assert a.mesh_uis == [None] * 4
    assert a.journal == "Journal of fixtures" and a.year == 2006
    assert a.source == f"{SAMPLE}:1"


def test_relaxed_policy_ta_fallback_and_season_year() -> None:
    articles, _ = read(SAMPLE, require_abstract=False, require_mesh=False)
    assert list(articles) == ["8001", "8002", "8003"]
    assert articles["8002"].year == 2004 and articles["8002"].abstract == ""
    assert articles["8003"].journal == "J Fixtures Abbrev"


def test_crlf_gzip_and_records_without_blank_lines(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("\n\nPMID", "\nPMID")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode())
    gz = gzip_copy(path, tmp_path / "crlf.txt.gz")
    articles = {a.pmid: a for a in read_articles(gz, require_abstract=False, require_mesh=False)}
    assert list(articles) == ["8001", "8002", "8003"]
    assert articles["8001"].title.endswith("second line.")


def test_non_utf8_line_spoils_only_its_record(tmp_path: Path) -> None:
    path = tmp_path / "latin1.nbib"
    path.write_bytes(SAMPLE.read_bytes().replace(b"Fixture, Alice", "Fixturé, A".encode("latin-1")))
    with pytest.raises(CorpusFormatError, match=r"latin1\.nbib, line 9: not UTF-8"):
        list(iter_medline_text(path))
    articles, stats = read(path, on_error="skip", require_abstract=False, require_mesh=False)
    assert sorted(articles) == ["8002", "8003"] and stats.skipped == {"bad_encoding": 1}


def test_missing_pmid(tmp_path: Path) -> None:
    path = tmp_path / "nopmid.nbib"
    path.write_text("TI  - No PMID here.\nAB  - Text.\nMH  - Humans\n")
    with pytest.raises(CorpusFormatError, match=r"nopmid\.nbib, record at line 1: record has no"):
        list(iter_medline_text(path))
    _, stats = read(path, on_error="skip")
    assert stats.skipped == {"no_pmid": 1}


def test_empty_and_not_medline_text(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CorpusFormatError, match=r"empty\.txt, line 1: empty file"):
        list(iter_medline_text(empty))
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n\n")
    with pytest.raises(CorpusFormatError, match=r"blank\.txt, line 1: not MEDLINE text"):
        list(iter_medline_text(blank))
    prose = tmp_path / "prose.txt"
    prose.write_text("Dear reader,\nthis is a letter.\n")
    with pytest.raises(CorpusFormatError, match=r"prose\.txt, line 1: not MEDLINE text"):
        list(iter_medline_text(prose))
