"""JSON Lines reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_helpers import FIXTURES, assert_counts_add_up

from tasks.pubmed.corpus import ReadStats, iter_jsonl
from multitask.data.errors import CorpusFormatError

SAMPLE = FIXTURES / "articles.jsonl"


def read(path: Path, **kwargs: object) -> tuple[dict, ReadStats]:
    stats = ReadStats()
    articles = {a.pmid: a for a in iter_jsonl(path, stats, **kwargs)}  # type: ignore[arg-type]
    assert_counts_add_up(stats)
    return articles, stats


def test_article_and_bioasq_field_names() -> None:
    articles, stats = read(SAMPLE)
    assert sorted(articles) == ["9001", "9002"]
    assert stats.read == 3 and stats.skipped == {"no_abstract": 1}  # blank line not a record
    a = articles["9001"]
    assert a.mesh_uis == ["D006801", None] and a.major_topic == [False, True]
    assert a.abstract_sections == [("BACKGROUND", "Read as written by write_jsonl.")]
    assert a.source == f"{SAMPLE}:1"
    b = articles["9002"]
    assert b.abstract == "A BioASQ object on its own line."
    assert b.mesh_names == ["Animals"] and b.mesh_uis == [None] and b.year == 2019
    assert b.source == f"{SAMPLE}:3"


def test_malformed_line_raises_or_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    lines = SAMPLE.read_text().splitlines()
    lines.insert(1, '{"pmid": "1", "title": ')
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorpusFormatError, match=r"bad\.jsonl, line 2: malformed JSON"):
        list(iter_jsonl(path))
    articles, stats = read(path, on_error="skip")
    assert sorted(articles) == ["9001", "9002"] and stats.skipped["bad_json"] == 1


def test_non_utf8_and_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(SAMPLE.read_bytes() + b'{"pmid": "7", "title": "\xe9"}\n[1, 2]\n')
    with pytest.raises(CorpusFormatError, match=r"mixed\.jsonl, line 5: not UTF-8"):
        list(iter_jsonl(path))
    _, stats = read(path, on_error="skip")
    assert stats.skipped["bad_encoding"] == 1 and stats.skipped["bad_record"] == 1


def test_empty_blank_and_not_json(tmp_path: Path) -> None:
    for name, content in [("empty.jsonl", b""), ("blank.jsonl", b"\n \n")]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(CorpusFormatError, match=rf"{name.replace('.', '[.]')}, line 1"):
            list(iter_jsonl(path))
    xml = tmp_path / "xml.jsonl"
    xml.write_text("<PubmedArticleSet>\n</PubmedArticleSet>\n")
    with pytest.raises(CorpusFormatError, match=r"xml\.jsonl, line 1: not JSON Lines"):
        list(iter_jsonl(xml, on_error="skip"))


def test_policy_order_for_missing_text(tmp_path: Path) -> None:
    path = tmp_path / "text.jsonl"
    path.write_text(
        '{"pmid": "1", "title": "", "abstract": "", "mesh_names": ["A"]}\n'
        '{"pmid": "2", "title": "", "abstract": "Text.", "mesh_names": ["A"]}\n'
        '{"pmid": "3", "title": "Title.", "abstract": "", "mesh_names": ["A"]}\n'
        '{"pmid": "4", "title": "Title.", "abstract": "Text.", "mesh_names": []}\n'
    )
    articles, stats = read(path)
    assert articles == {}
    assert stats.skipped == {"no_abstract": 2, "no_title": 1, "no_mesh": 1}
    # Nothing to index at all stays skipped even when the abstract is optional.
    articles, stats = read(path, require_abstract=False, require_mesh=False)
    assert sorted(articles) == ["3", "4"]
    assert stats.skipped == {"no_abstract": 1, "no_title": 1}
