"""Counts of what a corpus reader read, kept and skipped, so no record vanishes silently."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class ReadStats:
    """Running counts for one or more reads.

    Invariant kept by every reader: ``read == kept + sum(skipped.values())``.
    A deleted PMID (MEDLINE ``DeleteCitation``) counts as one record read and one
    ``"deleted"`` skip, and is also listed in ``deleted_pmids`` so that a caller merging
    update files can drop earlier copies of it.
    """

    read: int = 0
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    deleted_pmids: list[str] = field(default_factory=list)

    def skip(self, reason: str, where: str | None = None) -> None:
        """Count one skipped record; the place goes to the DEBUG log, not into memory."""
        self.skipped[reason] += 1
        if where is not None:
            logger.debug("skipped record (%s) at %s", reason, where)
        else:
            logger.debug("skipped record (%s)", reason)

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def merge(self, other: ReadStats) -> ReadStats:
        """Add ``other``'s counts into this one (for several files); returns ``self``."""
        self.read += other.read
        self.kept += other.kept
        self.skipped.update(other.skipped)
        self.deleted_pmids.extend(other.deleted_pmids)
        return self

    def summary(self) -> str:
        """Multi-line human-readable summary: read, kept, skipped by reason."""
        lines = [f"read {self.read:,} records, kept {self.kept:,}, skipped {self.total_skipped:,}"]
        if self.skipped:
            width = max(len(reason) for reason in self.skipped)
            for reason, count in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {reason:<{width}}  {count:>10,}")
        if self.deleted_pmids:
            lines.append(f"deleted PMIDs listed: {len(self.deleted_pmids):,}")
        return "\n".join(lines)
