"""An article's gold headings as descriptor UIs: the one way the reader, the comparison and
the suggesters' training data key labels.

UIs survive MeSH renames (D044465 changed its name between MeSH versions), so they are the
stable key; a name-only source (a BioASQ file) is resolved through the MeSH vocabulary. A
heading that no descriptor matches stays in gold as ``unknown:<label>``: a miss for every
system, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from tasks.mesh_indexing.mesh import LabelResolver, MeshVocabulary
from tasks.pubmed.article import Article

UNKNOWN_PREFIX = "unknown:"


def resolve_headings(article: Article, resolver: LabelResolver) -> tuple[list[str], list[str]]:
    """(descriptor UIs in source order without repeats, texts of headings none matches)."""
    uis: list[str] = []
    unknown: list[str] = []
    names = article.mesh_names or [""] * len(article.mesh_uis)
    for ui, name in zip(article.mesh_uis or [None] * len(names), names):
        descriptor = resolver.resolve_one((ui, name or ""))
        if descriptor is None or descriptor.ui is None:
            unknown.append(ui or name)
        elif descriptor.ui not in uis:
            uis.append(descriptor.ui)
    return uis, unknown


def gold_set(uis: Sequence[str], unknown: Sequence[str]) -> frozenset[str]:
    return frozenset(uis) | {f"{UNKNOWN_PREFIX}{label}" for label in unknown}


def gold_labels(articles: Sequence[Article], mesh: MeshVocabulary) -> list[frozenset[str]]:
    """Each article's gold set: descriptor UIs, plus ``unknown:<label>`` for the rest."""
    resolver = LabelResolver(mesh)
    return [gold_set(*resolve_headings(article, resolver)) for article in articles]
