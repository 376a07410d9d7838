"""Build a ready corpus: MeSH vocabulary + BioASQ-layout train / validation / test files.

Beside the labelled splits, ``all/{train,validation,test}.json`` holds every article with a
title and an abstract, with or without MeSH headings (headings resolved where it has them),
split by the same PMID buckets: the text tasks (title generation) train on more articles
than MeSH indexing has, and no task trains on another task's test article.

Every input is streamed once; each record is either written or counted as skipped with a
reason, and unknown headings are counted and reported (never kept, never dropped silently).

All or nothing (:func:`prepare_corpus`): the vocabulary and the splits are built in a staging
folder and replace the previous ones only when every input was read, so a failed run leaves
the previous corpus as it was.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from multitask.data.download import DownloadPolicy
from multitask.data.staging import replace_on_success
from multitask.errors import UserInputError
from tasks.mesh_indexing.corpus import artifacts
from tasks.mesh_indexing.mesh import LabelResolver, MeshVocabulary
from tasks.pubmed.article import Article
from tasks.pubmed.corpus import BioasqJsonWriter, ReadStats, read_articles
from tasks.pubmed.corpus._common import OnError
from tasks.pubmed.split import SPLITS, split_of

logger = logging.getLogger(__name__)

#: the sub-folder of every article with a title and an abstract, headings or not
ALL_ARTICLES = "all"
#: what a run replaces under its output folder, together or not at all (raw/ is a cache)
PARTS = ("mesh", "corpus")


@dataclass
class CorpusSummary:
    stats: ReadStats = field(default_factory=ReadStats)
    per_split: Counter = field(default_factory=Counter)
    all_per_split: Counter = field(default_factory=Counter)  # all/: with or without headings
    dropped: Counter = field(default_factory=Counter)  # read fine, but not written: why
    label_occurrences: int = 0
    distinct_labels: set = field(default_factory=set)
    resolver: LabelResolver | None = None

    def to_json(self) -> dict:
        return {
            "documents_read": self.stats.read,
            "documents_written": sum(self.per_split.values()),
            "skipped": dict(self.stats.skipped + self.dropped),
            "per_split": dict(self.per_split),
            "all_articles_per_split": dict(self.all_per_split),
            "label_occurrences": self.label_occurrences,
            "distinct_labels": len(self.distinct_labels),
            "unknown_label_occurrences": self.resolver.unknown.total if self.resolver else 0,
            "unknown_labels_top": dict(self.resolver.unknown.counts.most_common(20))
            if self.resolver
            else {},
            "renamed_label_occurrences": self.resolver.renamed_total if self.resolver else 0,
        }

    def render(self) -> str:
        data = self.to_json()
        lines = [
            f"documents read: {data['documents_read']:,}",
            f"documents written: {data['documents_written']:,} "
            + ", ".join(f"{s} {n:,}" for s, n in data["per_split"].items()),
            "skipped: " + (", ".join(f"{r} {n:,}" for r, n in data["skipped"].items()) or "none"),
            "all/ (every article with a title and an abstract, headings or not): "
            + ", ".join(f"{s} {n:,}" for s, n in data["all_articles_per_split"].items()),
            f"label occurrences: {data['label_occurrences']:,} "
            f"({data['distinct_labels']:,} distinct headings)",
            "unknown labels (counted, left out of the corpus): "
            + (self.resolver.unknown.summary() if self.resolver else "none"),
            f"labels resolved through an older name's UI: {data['renamed_label_occurrences']:,}",
        ]
        return "\n".join(lines)


def resolve_labels(article: Article, resolver: LabelResolver) -> Article:
    """Map headings to current descriptors, by UI where the source has one, else by name.

    Unknown headings are counted by the resolver and left out; a heading given twice (old
    and new name) is kept once.
    """
    kept: dict[str, tuple[str, bool | None]] = {}
    majors = article.major_topic or [None] * len(article.mesh_names)
    for ui, name, major in zip(article.mesh_uis, article.mesh_names, majors):
        descriptor = resolver.resolve_one((ui, name))
        if descriptor is not None and descriptor.ui is None:  # known by name only (mtrees)
            resolver.unknown.add(f"{name} (no descriptor UI in the vocabulary)")
        elif descriptor is not None:
            kept.setdefault(descriptor.ui, (descriptor.name, major))
    article.mesh_uis = list(kept)
    article.mesh_names = [name for name, _ in kept.values()]
    article.major_topic = [major for _, major in kept.values()]
    return article


def check_split_percents(validation_percent: int, test_percent: int) -> None:
    """Refuse splits that leave no training data (or make no sense)."""
    for name, value in (("validation", validation_percent), ("test", test_percent)):
        if not 0 <= value < 100:
            raise UserInputError(f"{name} percent must be between 0 and 99, got {value}")
    if validation_percent + test_percent >= 100:
        raise UserInputError(
            f"validation percent {validation_percent} + test percent {test_percent} leaves "
            "nothing for training: keep their sum under 100"
        )


def build_vocabulary(mesh_files: Sequence[Path]) -> MeshVocabulary:
    vocabulary: MeshVocabulary | None = None
    for path in mesh_files:
        loaded = MeshVocabulary.from_file(path)
        logger.info("MeSH: %s gives %d descriptors", path, len(loaded))
        vocabulary = loaded if vocabulary is None else vocabulary.merge(loaded)
    if vocabulary is None:
        raise ValueError("no MeSH vocabulary file given")
    return vocabulary


def write_corpus(
    inputs: Iterable[Path],
    vocabulary: MeshVocabulary,
    out_dir: Path,
    validation_percent: int = 10,
    test_percent: int = 10,
    max_documents: int | None = None,
    on_error: OnError = "raise",
) -> CorpusSummary:
    """Stream every input into the three split files (and the three of ``all/``);
    duplicates of a PMID keep the first.

    ``on_error="skip"`` counts a malformed record in the summary (by reason) and goes on,
    instead of stopping the whole build at it.
    """
    check_split_percents(validation_percent, test_percent)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = CorpusSummary(resolver=LabelResolver(vocabulary))
    seen: set[str] = set()
    seen_all: set[str] = set()
    (out_dir / ALL_ARTICLES).mkdir(exist_ok=True)
    writers = {name: BioasqJsonWriter(out_dir / f"{name}.json") for name in SPLITS}
    all_writers = {
        name: BioasqJsonWriter(out_dir / ALL_ARTICLES / f"{name}.json") for name in SPLITS
    }
    progress = tqdm(desc="articles", unit=" docs", mininterval=1.0)
    try:  # the split files move into place only when every input was read
        for path in inputs:
            stats = ReadStats()
            articles = read_articles(path, stats=stats, on_error=on_error, require_mesh=False)
            for article in articles:
                progress.update(1)
                # the labelled splits keep the first copy of a PMID that has headings (as
                # before all/ existed); all/ keeps the first copy, headings or not
                had_headings = bool(article.mesh_names or article.mesh_uis)
                new_for_all = article.pmid not in seen_all
                new_labelled = had_headings and article.pmid not in seen
                if not (new_for_all or new_labelled):
                    summary.dropped["duplicate_pmid"] += 1
                    continue
                if had_headings:
                    resolve_labels(article, summary.resolver)
                split = split_of(article.pmid, validation_percent, test_percent)
                if new_for_all:
                    seen_all.add(article.pmid)
                    if article.title.strip():
                        all_writers[split].write(article)
                        summary.all_per_split[split] += 1
                if not had_headings:
                    summary.dropped["no_mesh"] += 1
                    continue
                # here new_labelled holds: every PMID in `seen` is in `seen_all` too
                seen.add(article.pmid)
                if not article.mesh_uis:
                    summary.dropped["no_known_mesh"] += 1
                    continue
                writers[split].write(article)
                summary.per_split[split] += 1
                summary.label_occurrences += len(article.mesh_uis)
                summary.distinct_labels.update(article.mesh_uis)
                if max_documents and sum(summary.per_split.values()) >= max_documents:
                    break
            logger.info("%s:\n%s", path, stats.summary())
            summary.stats.merge(stats)
            if max_documents and sum(summary.per_split.values()) >= max_documents:
                break
        progress.close()
    except BaseException:
        progress.close()
        for writer in (*writers.values(), *all_writers.values()):
            writer.abort()
        raise
    for writer in (*writers.values(), *all_writers.values()):
        writer.close()
    (out_dir / "summary.json").write_text(json.dumps(summary.to_json(), indent=2) + "\n")
    return summary


def prepare_corpus(
    out: Path,
    article_sources: Sequence[str] = (),
    mesh_sources: Sequence[str] = (),
    validation_percent: int = 10,
    test_percent: int = 10,
    max_documents: int | None = None,
    on_error: OnError = "raise",
    policy: DownloadPolicy | None = None,
) -> tuple[MeshVocabulary, CorpusSummary]:
    """Build ``out/mesh/descriptors.tsv`` and ``out/corpus`` from article and MeSH files or
    URLs (URLs are downloaded into ``out/raw``); without sources, from the default corpus's
    pinned artifacts. Both parts replace the previous ones together, or neither does."""
    check_split_percents(validation_percent, test_percent)
    raw = out / "raw"
    if article_sources:
        inputs = [artifacts.resolve_source(s, raw, policy) for s in article_sources]
    else:
        inputs = [artifacts.fetch(item, raw) for item in artifacts.DEFAULT_MEDLINE]
    if mesh_sources:
        mesh_files = [artifacts.resolve_source(s, raw, policy) for s in mesh_sources]
    else:
        mesh_files = [artifacts.fetch(item, raw) for item in artifacts.DEFAULT_MESH]

    with replace_on_success(out, PARTS) as staging:
        vocabulary = build_vocabulary(mesh_files)
        mesh_out = staging / "mesh" / "descriptors.tsv"
        mesh_out.parent.mkdir(parents=True)
        vocabulary.save_tsv(mesh_out)
        summary = write_corpus(
            inputs,
            vocabulary,
            staging / "corpus",
            validation_percent,
            test_percent,
            max_documents,
            on_error=on_error,
        )
    return vocabulary, summary
