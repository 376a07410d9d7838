"""The MeSH descriptor record and the small helpers on names and tree numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: The 16 top-level MeSH categories, keyed by the first letter of a tree number.
CATEGORY_NAMES: dict[str, str] = {
    "A": "Anatomy",
    "B": "Organisms",
    "C": "Diseases",
    "D": "Chemicals and Drugs",
    "E": "Analytical, Diagnostic and Therapeutic Techniques, and Equipment",
    "F": "Psychiatry and Psychology",
    "G": "Phenomena and Processes",
    "H": "Disciplines and Occupations",
    "I": "Anthropology, Education, Sociology, and Social Phenomena",
    "J": "Technology, Industry, and Agriculture",
    "K": "Humanities",
    "L": "Information Science",
    "M": "Named Groups",
    "N": "Health Care",
    "V": "Publication Characteristics",
    "Z": "Geographicals",
}

# One letter, two digits, then any number of ".ddd" parts: "C04", "C04.557.470".
TREE_NUMBER_RE = re.compile(r"[A-Z]\d{2}(?:\.\d{3})*")


@dataclass(frozen=True)
class Descriptor:
    """One MeSH descriptor.

    ``ui`` is None when the source (an mtrees file) has no UIs; such a descriptor is then
    identified by its name (see :attr:`key`).  An empty ``tree_numbers`` marks a root that sits
    outside the trees (Female D005260 and Male D008297 in MeSH 2024).
    """

    ui: str | None
    name: str
    tree_numbers: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The identifier the vocabulary uses: the UI when known, else the name."""
        return self.ui if self.ui is not None else self.name


def normalise_name(name: str) -> str:
    """Fold a heading name for matching: NFKC, case-folded, whitespace collapsed.

    Sources disagree on case and spacing ("Neoplasms ,  Glandular" vs "neoplasms, glandular")
    and sometimes on Unicode forms; none of these change which descriptor is meant.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def is_tree_number(text: str) -> bool:
    """True for a well-formed tree number such as ``C04.557.470``."""
    return TREE_NUMBER_RE.fullmatch(text) is not None


def parent_tree_number(tree_number: str) -> str | None:
    """The tree number one level up (drop the last ``.xxx``); None for a top-level one."""
    head, dot, _ = tree_number.rpartition(".")
    return head if dot else None
