"""Map heading labels from a corpus onto a vocabulary, counting what does not map.

Corpora name headings by UI and name (MEDLINE) or by name only (BioASQ).  Names drift between
MeSH versions, so a label may be renamed (UI known, old name) or unknown (neither known).
Both are counted so that a reader can report them; unknown labels are never kept or dropped
without a trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tasks.mesh_indexing.mesh.descriptor import Descriptor, normalise_name
from tasks.mesh_indexing.mesh.vocabulary import MeshVocabulary

#: A label as a corpus gives it: a UI or name, or a ``(ui, name)`` pair (ui may be None).
Label = str | tuple[str | None, str]


@dataclass
class UnknownLabels:
    """Occurrence counts of labels that are not in the vocabulary."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, label: str, count: int = 1) -> None:
        """Count ``count`` more occurrences of ``label``."""
        self.counts[label] += count

    def update(self, other: UnknownLabels | Iterable[str]) -> None:
        """Add another counter's counts, or one occurrence of each label given."""
        if isinstance(other, UnknownLabels):
            self.counts.update(other.counts)
        else:
            self.counts.update(other)

    @property
    def total(self) -> int:
        """Occurrences of unknown labels (not distinct labels; see ``len``)."""
        return sum(self.counts.values())

    def __len__(self) -> int:
        return len(self.counts)

    def __bool__(self) -> bool:
        return bool(self.counts)

    def summary(self, top: int = 10) -> str:
        """One line for a log: totals and the ``top`` most frequent unknown labels."""
        if not self.counts:
            return "no unknown labels"
        common = ", ".join(f"{label!r} x{n}" for label, n in self.counts.most_common(top))
        more = len(self.counts) - min(top, len(self.counts))
        tail = f", and {more} more" if more > 0 else ""
        return f"{self.total} unknown label occurrence(s), {len(self)} distinct: {common}{tail}"


class LabelResolver:
    """Resolve labels against one vocabulary and keep the tallies across calls.

    ``(ui, name)`` pairs resolve by UI first, so an old name under a current UI (D044465
    "European Continental Ancestry Group" -> "White People") still maps, and counts as
    ``renamed``; otherwise, and for bare strings, by UI/key or normalised name.
    """

    def __init__(self, vocabulary: MeshVocabulary) -> None:
        self.vocabulary = vocabulary
        self.unknown = UnknownLabels()
        #: ``(ui, old name, current name)`` -> occurrences.
        self.renamed: Counter[tuple[str, str, str]] = Counter()
        self.resolved = 0

    def resolve_one(self, label: Label) -> Descriptor | None:
        """The descriptor for one label, or None (and counted as unknown)."""
        ui, name = (None, label) if isinstance(label, str) else label
        descriptor = None
        if ui:
            descriptor = self.vocabulary.get_by_ui(ui)
            if descriptor is not None and name and not _same_name(name, descriptor.name):
                self.renamed[(ui, name, descriptor.name)] += 1
        if descriptor is None and name:
            descriptor = self.vocabulary.get_by_name(name) if ui else self.vocabulary.get(name)
        if descriptor is None:
            self.unknown.add(_label_text(ui, name))
        else:
            self.resolved += 1
        return descriptor

    def resolve(self, labels: Iterable[Label]) -> tuple[list[Descriptor], list[str]]:
        """Resolve one example's labels: (descriptors, unknown label texts).

        Descriptors come in input order without repeats (an old and a current name of one
        heading give it once); unknown labels are also added to :attr:`unknown`.
        """
        found: dict[str, Descriptor] = {}
        missing: list[str] = []
        for label in labels:
            descriptor = self.resolve_one(label)
            if descriptor is None:
                missing.append(_label_text(*_as_pair(label)))
            else:
                found.setdefault(descriptor.key, descriptor)
        return list(found.values()), missing

    @property
    def renamed_total(self) -> int:
        """Occurrences resolved by UI whose name was not the current one."""
        return sum(self.renamed.values())

    def summary(self, top: int = 10) -> str:
        """One line for a log: resolved, renamed and unknown counts."""
        return (
            f"{self.resolved} label occurrence(s) resolved, {self.renamed_total} under an old "
            f"name; {self.unknown.summary(top)}"
        )


def _as_pair(label: Label) -> tuple[str | None, str]:
    return (None, label) if isinstance(label, str) else label


def _same_name(a: str, b: str) -> bool:
    return normalise_name(a) == normalise_name(b)


def _label_text(ui: str | None, name: str) -> str:
    return f"{ui} ({name})" if ui and name else (ui or name)
