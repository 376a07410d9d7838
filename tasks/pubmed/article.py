"""The one record type every corpus reader yields."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Article:
    """A citation with its MeSH indexing, independent of the file format it came from.

    ``mesh_uis`` and ``mesh_names`` are parallel lists; a reader that only knows names
    (BioASQ JSON) leaves the UI as ``None`` until a MeSH vocabulary resolves it.
    ``major_topic`` is parallel too, ``None`` where the source does not say.
    ``abstract_sections`` keeps structured-abstract labels as (label, text) pairs.
    """

    pmid: str
    title: str
    abstract: str
    mesh_uis: list[str | None] = field(default_factory=list)
    mesh_names: list[str] = field(default_factory=list)
    major_topic: list[bool | None] = field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    abstract_sections: list[tuple[str, str]] = field(default_factory=list)
    source: str | None = None  # "file:line" or "file:record N", for error messages

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def article_text(article: Article) -> str:
    """Title and abstract as one string, the title on the first line: what a suggester reads
    (:class:`~tasks.mesh_indexing.suggesters.MqanArchiveSuggester` splits it there again)."""
    return f"{article.title}\n{article.abstract}".strip()
