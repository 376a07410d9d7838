"""read_articles dispatch and format detection, ReadStats, and the writers' round trips."""

from __future__ import annotations

import gzip
import logging
import shutil
from pathlib import Path

import pytest
from corpus_helpers import FIXTURES, assert_counts_add_up, without_source

from tasks.pubmed.article import Article
from tasks.pubmed.corpus import (
    ReadStats,
    detect_format,
    read_articles,
    write_bioasq_json,
    write_jsonl,
)
from multitask.data.errors import CorpusFormatError


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.xml", "medline_xml"),
        ("a.xml.gz", "medline_xml"),
        ("a.jsonl", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("a.txt", "medline_text"),
        ("a.nbib", "medline_text"),
        ("a.medline", "medline_text"),
        ("a.json", "bioasq_json"),
        ("a.json.gz", "bioasq_json"),
    ],
)
def test_detect_by_name(name: str, expected: str) -> None:
    assert detect_format(name) == expected  # the name alone decides: the file need not exist


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("medline_sample.xml", "medline_xml"),
        ("bioasq_sample.json", "bioasq_json"),
        ("bioasq_pretty.json", "bioasq_json"),  # '{' newline '"articles":' still matches
        ("sample.nbib", "medline_text"),
        ("articles.jsonl", "jsonl"),
    ],
)
def test_detect_by_content(tmp_path: Path, fixture: str, expected: str) -> None:
    unnamed = tmp_path / "download"
    unnamed.write_bytes(gzip.compress((FIXTURES / fixture).read_bytes()))
    assert detect_format(unnamed) == expected


def test_detect_unknown(tmp_path: Path) -> None:
    path = tmp_path / "mystery.dat"
    path.write_text("hello world\n")
    with pytest.raises(CorpusFormatError, match=r"mystery\.dat, line 1: cannot tell"):
        read_articles(path)
    empty = tmp_path / "nothing"
    empty.write_bytes(b"")
    with pytest.raises(CorpusFormatError, match=r"nothing, line 1: empty file"):
        read_articles(empty)


def test_dispatch_every_format_with_shared_stats(tmp_path: Path) -> None:
    stats = ReadStats()
    pmids = []
    for fixture in ["medline_sample.xml", "bioasq_sample.json", "sample.nbib", "articles.jsonl"]:
        pmids += [a.pmid for a in read_articles(FIXTURES / fixture, stats=stats)]
    assert pmids == ["1001", "1002", "1007", "5001", "5002", "5005", "8001", "9001", "9002"]
    assert stats.kept == 9 and stats.read == 10 + 5 + 3 + 3
    assert_counts_add_up(stats)
    copy = tmp_path / "pubmed.data"  # no telling name: sniffed
    shutil.copy(FIXTURES / "medline_sample.xml", copy)
    assert [a.pmid for a in read_articles(copy)] == ["1001", "1002", "1007"]
    explicit = read_articles(FIXTURES / "sample.nbib", "medline_text", require_mesh=False)
    assert [a.pmid for a in explicit] == ["8001", "8003"]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown corpus format"):
        read_articles(FIXTURES / "sample.nbib", "csv")
    with pytest.raises(ValueError, match="on_error"):
        read_articles(FIXTURES / "sample.nbib", on_error="ignore")  # type: ignore[arg-type]


def test_read_stats_merge_summary_and_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    a = ReadStats(read=3, kept=1)
    with caplog.at_level(logging.DEBUG, logger="multitask.data.read_stats"):
        a.skip("no_mesh", "f.xml, record 2")
        a.skip("no_abstract")
    assert "skipped record (no_mesh) at f.xml, record 2" in caplog.text
    b = ReadStats(read=2, kept=0, deleted_pmids=["9"])
    b.skip("deleted")
    b.skip("no_mesh")
    assert a.merge(b) is a
    assert (a.read, a.kept, dict(a.skipped)) == (
        5,
        1,
        {"no_mesh": 2, "no_abstract": 1, "deleted": 1},
    )
    assert a.deleted_pmids == ["9"]
    summary = a.summary()
    assert summary.splitlines()[0] == "read 5 records, kept 1, skipped 4"
    assert "no_mesh" in summary and "deleted PMIDs listed: 1" in summary


ARTICLES = [
    Article(
        pmid="1",
        title="Unicode: β-lactamase — “quotes”.",
        abstract="An abstract.",
        mesh_uis=["D006801", "D005260"],
        mesh_names=["Humans", "Female"],
        major_topic=[True, False],
        journal="J Round Trip",
        year=2001,
        abstract_sections=[("BACKGROUND", "An abstract.")],
    ),
    Article(
        pmid="2",
        title="Names only.",
        abstract="Another abstract.",
        mesh_uis=[None],
        mesh_names=["Animals"],
        major_topic=[None],
        journal=None,
        year=None,
    ),
]


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_jsonl_round_trip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    assert write_jsonl(iter(ARTICLES), path) == 2
    back = list(read_articles(path))
    assert [without_source(a) for a in back] == ARTICLES
    assert back[1].source == f"{path}:2"
    assert not (tmp_path / (name + ".tmp")).exists()


@pytest.mark.parametrize("name", ["out.json", "out.json.gz"])
def test_bioasq_round_trip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    assert write_bioasq_json(iter(ARTICLES), path) == 2
    lines = (gzip.open(path, "rt") if name.endswith(".gz") else open(path)).read().splitlines()
    assert lines[0] == '{"articles":[' and lines[-1] == "]}"
    assert lines[1].endswith("},") and lines[2].endswith("}")
    assert '"meshUIs": ["D006801", "D005260"]' in lines[1] and "meshUIs" not in lines[2]
    back = [without_source(a) for a in read_articles(path)]
    # BioASQ keeps no major-topic flags or sections: those come back as None / [].
    expected = [
        Article(**{**ARTICLES[0].to_json(), "major_topic": [None, None], "abstract_sections": []}),
        ARTICLES[1],
    ]
    assert back == expected


def test_bioasq_round_trip_of_real_layout_reader_output(tmp_path: Path) -> None:
    original = list(
        read_articles(FIXTURES / "bioasq_sample.json", require_abstract=False, require_mesh=False)
    )
    path = tmp_path / "copy.json"
    write_bioasq_json(original, path)
    back = list(read_articles(path, require_abstract=False, require_mesh=False))
    assert [without_source(a) for a in back] == [without_source(a) for a in original]


def test_writers_on_empty_input(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    assert write_bioasq_json([], path) == 0
    stats = ReadStats()
    assert list(read_articles(path, stats=stats)) == [] and stats.read == 0


EMPTY_TEXT_RECORDS = {
    "jsonl": '{"pmid": "1", "title": "", "abstract": ""}\n'
    '{"pmid": "2", "title": "", "abstract": "No title."}\n'
    '{"pmid": "3", "title": "Only a title.", "abstract": ""}\n',
    "json": '{"documents": [{"pmid": 1, "title": "", "abstractText": ""},\n'
    '{"pmid": 2, "title": "", "abstractText": "No title."},\n'
    '{"pmid": 3, "title": "Only a title.", "abstractText": ""}]}\n',
    "nbib": "PMID- 1\n\nPMID- 2\nAB  - No title.\n\nPMID- 3\nTI  - Only a title.\n",
    "xml": "<PubmedArticleSet>"
    + "".join(
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>{body}</Article>"
        "</MedlineCitation></PubmedArticle>"
        for pmid, body in (
            (1, ""),
            (2, "<Abstract><AbstractText>No title.</AbstractText></Abstract>"),
            (3, "<ArticleTitle>Only a title.</ArticleTitle>"),
        )
    )
    + "</PubmedArticleSet>\n",
}


@pytest.mark.parametrize("suffix", sorted(EMPTY_TEXT_RECORDS))
def test_require_text_false_keeps_every_pmid_for_prediction(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"input.{suffix}"
    path.write_text(EMPTY_TEXT_RECORDS[suffix])
    policy = {"require_abstract": False, "require_mesh": False}
    stats = ReadStats()
    kept = list(read_articles(path, stats=stats, require_text=False, **policy))
    assert [a.pmid for a in kept] == ["1", "2", "3"]
    assert_counts_add_up(stats)
    default = ReadStats()
    assert [a.pmid for a in read_articles(path, stats=default, **policy)] == ["3"]
    assert dict(default.skipped) == {"no_abstract": 1, "no_title": 1}
