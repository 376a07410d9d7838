"""Small helpers shared by the corpus reader tests."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

from tasks.pubmed.article import Article
from tasks.pubmed.corpus import ReadStats

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


def assert_counts_add_up(stats: ReadStats) -> None:
    assert stats.read == stats.kept + sum(stats.skipped.values()), stats.summary()


def gzip_copy(src: Path, dest: Path) -> Path:
    dest.write_bytes(gzip.compress(src.read_bytes()))
    return dest


def without_source(article: Article) -> Article:
    return dataclasses.replace(article, source=None)
