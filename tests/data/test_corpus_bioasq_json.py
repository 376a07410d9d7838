"""BioASQ Task A JSON reader: line layout, whole-file fallback, broken lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_helpers import FIXTURES, assert_counts_add_up, gzip_copy

from tasks.pubmed.corpus import ReadStats, bioasq_json, iter_bioasq_json
from multitask.data.errors import CorpusFormatError

SAMPLE = FIXTURES / "bioasq_sample.json"


def read(path: Path, **kwargs: object) -> tuple[dict, ReadStats]:
    stats = ReadStats()
    articles = {a.pmid: a for a in iter_bioasq_json(path, stats, **kwargs)}  # type: ignore[arg-type]
    assert_counts_add_up(stats)
    return articles, stats


def test_line_layout_fields_and_policy() -> None:
    articles, stats = read(SAMPLE)
    assert sorted(articles) == ["5001", "5002", "5005"]
    assert stats.read == 5 and stats.skipped == {"no_abstract": 1, "no_mesh": 1}
    a = articles["5001"]
    assert a.year == 2012  # "2012" as a string
    assert a.journal == "Journal of Fixture Studies"
    assert a.mesh_names == ["Humans", "Escherichia coli"]
    assert a.mesh_uis == [None, None] and a.major_topic == [None, None]
    assert a.source == f"{SAMPLE}:2"
    b = articles["5002"]
    assert b.journal is None and b.year is None
    c = articles["5005"]
    assert c.mesh_uis == ["D006801", "D005260"] and c.year == 2016


def test_relaxed_policy_and_gzip(tmp_path: Path) -> None:
    gz = gzip_copy(SAMPLE, tmp_path / "sample.json.gz")
    articles, stats = read(gz, require_abstract=False, require_mesh=False)
    assert sorted(articles) == ["5001", "5002", "5003", "5004", "5005"]
    assert articles["5003"].abstract == "" and articles["5004"].mesh_names == []
    assert stats.kept == 5


def test_header_sharing_first_article_and_closing_on_last_line(tmp_path: Path) -> None:
    path = tmp_path / "compact.json"
    path.write_text(
        '{"articles":[{"pmid": "1", "title": "T", "abstractText": "A", "meshMajor": ["X"]},\n'
        '{"pmid": "2", "title": "T", "abstractText": "A", "meshMajor": ["Y"]}]}\n'
    )
    articles, _ = read(path)
    assert sorted(articles) == ["1", "2"]
    assert articles["1"].source == f"{path}:1"


def test_test_documents_and_pretty_printed_fallback() -> None:
    docs, stats = read(FIXTURES / "bioasq_test_documents.json", require_mesh=False)
    assert sorted(docs) == ["6001", "6002"] and docs["6001"].mesh_names == []
    assert docs["6001"].source.endswith("bioasq_test_documents.json:record 1")
    _, strict = read(FIXTURES / "bioasq_test_documents.json")
    assert strict.skipped == {"no_mesh": 2}
    pretty, _ = read(FIXTURES / "bioasq_pretty.json")
    assert list(pretty) == ["7001"] and pretty["7001"].year == 2001


def test_large_file_not_in_line_layout_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bioasq_json, "SMALL_FILE_BYTES", 100)
    with pytest.raises(CorpusFormatError, match=r"bioasq_pretty\.json, line 1: not in the BioASQ"):
        list(iter_bioasq_json(FIXTURES / "bioasq_pretty.json"))


def with_line(tmp_path: Path, line: bytes, name: str = "bad.json") -> Path:
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    lines.insert(2, line + b"\n")  # becomes line 3
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def test_malformed_json_line_raises_with_file_and_line(tmp_path: Path) -> None:
    path = with_line(tmp_path, b'{"pmid": "42", "title": "broken",')
    with pytest.raises(CorpusFormatError, match=r"bad\.json, line 3: malformed JSON"):
        list(iter_bioasq_json(path))
    articles, stats = read(path, on_error="skip")
    assert len(articles) == 3 and stats.skipped["bad_json"] == 1 and stats.read == 6


def test_non_utf8_line(tmp_path: Path) -> None:
    line = '{"pmid": "43", "title": "caf\u00e9", "abstractText": "x", "meshMajor": ["A"]},'
    path = with_line(tmp_path, line.encode("latin-1"), "latin1.json")
    with pytest.raises(CorpusFormatError, match=r"latin1\.json, line 3: not UTF-8"):
        list(iter_bioasq_json(path))
    _, stats = read(path, on_error="skip")
    assert stats.skipped["bad_encoding"] == 1


def test_missing_pmid_and_missing_title(tmp_path: Path) -> None:
    path = with_line(tmp_path, b'{"title": "no pmid", "abstractText": "x", "meshMajor": ["A"]},')
    with pytest.raises(CorpusFormatError, match=r"bad\.json, line 3: record has no pmid"):
        list(iter_bioasq_json(path))
    _, stats = read(path, on_error="skip")
    assert stats.skipped["no_pmid"] == 1
    path = with_line(
        tmp_path, b'{"pmid": 44, "title": null, "abstractText": "x", "meshMajor": ["A"]},'
    )
    _, stats = read(path)
    assert stats.skipped["no_title"] == 1


def test_wrong_types_are_record_errors(tmp_path: Path) -> None:
    path = with_line(
        tmp_path, b'{"pmid": 45, "title": "t", "abstractText": "x", "meshMajor": "A"},'
    )
    with pytest.raises(CorpusFormatError, match=r"line 3: 'meshMajor' is str, not a list"):
        list(iter_bioasq_json(path))
    path = with_line(
        tmp_path,
        b'{"pmid": 46, "title": "t", "abstractText": "x", "meshMajor": ["A"], "meshUIs": []},',
    )
    _, stats = read(path, on_error="skip")
    assert stats.skipped["bad_record"] == 1


def test_truncated_file_without_closing_bracket(tmp_path: Path) -> None:
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    path = tmp_path / "cut.json"
    path.write_bytes(b"".join(lines[:3]))
    stats = ReadStats()
    with pytest.raises(
        CorpusFormatError, match=r"cut\.json, line 3: file ends without the closing"
    ):
        for _ in iter_bioasq_json(path, stats):
            pass
    assert stats.read == 2
    assert_counts_add_up(stats)


def test_truncated_gzip(tmp_path: Path) -> None:
    gz = gzip_copy(SAMPLE, tmp_path / "sample.json.gz")
    data = gz.read_bytes()
    gz.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorpusFormatError, match=r"sample\.json\.gz"):
        list(iter_bioasq_json(gz))


def test_empty_and_not_bioasq(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(CorpusFormatError, match=r"empty\.json, line 1: empty file"):
        list(iter_bioasq_json(empty))
    squad = tmp_path / "squad.json"
    squad.write_text('{"version": "v2.0", "data": []}')
    with pytest.raises(CorpusFormatError, match=r"squad\.json, line 1: not BioASQ JSON"):
        list(iter_bioasq_json(squad))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("this is not json\n")
    with pytest.raises(CorpusFormatError, match=r"garbage\.json, line 1: not JSON"):
        list(iter_bioasq_json(garbage))
