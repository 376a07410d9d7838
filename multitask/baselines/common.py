"""What every baseline shares: the label key of an article, its text, and the scores."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

from multitask.data.article import Article
from multitask.metrics import example_based_f1, macro_f1, micro_prf

LabelSet = frozenset[str]


def article_labels(article: Article) -> LabelSet:
    """The article's headings keyed by descriptor UI where known, else by name.

    UIs survive MeSH renames (e.g. D044465 changed its name between MeSH versions), so they
    are the stable key; names are the fallback for name-only sources such as BioASQ files
    that carry no ``meshUIs``.
    """
    labels = set()
    for i, name in enumerate(article.mesh_names):
        ui = article.mesh_uis[i] if i < len(article.mesh_uis) else None
        labels.add(ui if ui else name)
    # A source with UIs but no names (not produced by the readers, but cheap to accept).
    labels.update(ui for ui in article.mesh_uis[len(article.mesh_names) :] if ui)
    return frozenset(labels)


def article_text(article: Article) -> str:
    """Title and abstract as one string: the whole input a text baseline sees."""
    return f"{article.title}\n{article.abstract}".strip()


@dataclass(frozen=True)
class Scores:
    """BioASQ Task A flat measures, as :mod:`multitask.metrics` computes them."""

    mif: float
    mip: float
    mir: float
    ebf: float
    maf: float

    def to_json(self) -> dict[str, float]:
        return asdict(self)


def score(gold: Sequence[Collection[str]], pred: Sequence[Collection[str]]) -> Scores:
    """Score predictions with the same functions the MQAN model is evaluated with."""
    mip, mir, mif = micro_prf(gold, pred)
    return Scores(
        mif=mif, mip=mip, mir=mir, ebf=example_based_f1(gold, pred), maf=macro_f1(gold, pred)
    )
