"""The readers on the real public files in ../shared/data (skipped when absent)."""

from __future__ import annotations

import pytest
from corpus_helpers import assert_counts_add_up
from shared_data import SHARED_DATA, needs_shared_data

from tasks.pubmed.corpus import ReadStats, read_articles

BASELINE = "medline/pubmed20n0014.xml.gz"
MEDLINE_FIXTURES = [
    "medline/fixtures/medline16n0902.xml.gz",
    "medline/fixtures/pubmed-29768149.xml",
    "medline/fixtures/pubmedsample18n0001.xml.gz",
    "medline/fixtures/test_current_medline.xml.gz",
]


@needs_shared_data(BASELINE)
def test_baseline_file_gives_14832_indexed_abstracts() -> None:
    # About 5 s on one CPU core, so it is not marked slow.
    stats = ReadStats()
    count = 0
    uis_known = True
    for article in read_articles(SHARED_DATA / BASELINE, stats=stats):
        count += 1
        uis_known &= all(ui is not None and ui.startswith("D") for ui in article.mesh_uis)
        assert article.title and article.abstract and article.mesh_names
    assert count == stats.kept == 14_832
    assert stats.read == 30_000
    assert uis_known
    assert_counts_add_up(stats)


@needs_shared_data(*MEDLINE_FIXTURES)
@pytest.mark.parametrize("relpath", MEDLINE_FIXTURES)
def test_medline_fixture_files_parse(relpath: str) -> None:
    stats = ReadStats()
    articles = list(read_articles(SHARED_DATA / relpath, stats=stats, require_mesh=False))
    assert articles, stats.summary()
    assert_counts_add_up(stats)
    if relpath.endswith("pubmed-29768149.xml"):
        assert [a.pmid for a in articles] == ["29768149"]
        assert articles[0].abstract_sections[0][0] == "BACKGROUND"
    if "medline16" in relpath:
        assert stats.skipped["deleted"] == len(stats.deleted_pmids) == 1


@needs_shared_data("bioasq/bioasq_sample_train.json", "bioasq/bioasq_sample_dev.json")
@pytest.mark.parametrize("split", ["train", "dev"])
def test_bioasq_samples_give_800_each(split: str) -> None:
    stats = ReadStats()
    articles = list(read_articles(SHARED_DATA / f"bioasq/bioasq_sample_{split}.json", stats=stats))
    assert len(articles) == stats.read == 800
    assert all(a.journal is None and a.year is None for a in articles)  # null in these files
    assert all(a.mesh_uis == [None] * len(a.mesh_names) for a in articles)


@needs_shared_data("medline/fixtures/pubmed_result2.medline.txt")
def test_medline_text_export_gives_4_indexed_records() -> None:
    stats = ReadStats()
    path = SHARED_DATA / "medline/fixtures/pubmed_result2.medline.txt"
    articles = list(read_articles(path, stats=stats))
    assert [a.pmid for a in articles] == ["16403221", "16377612", "14871861", "14630660"]
    assert all(a.mesh_names and any(a.major_topic) for a in articles)
    assert articles[0].mesh_names[2] == "Information Storage and Retrieval"
    assert stats.kept == stats.read == 4
