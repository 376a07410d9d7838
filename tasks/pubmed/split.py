"""Deterministic train / validation / test assignment by PMID."""

from __future__ import annotations

import hashlib

SPLITS = ("train", "validation", "test")


def split_of(pmid: str, validation_percent: int = 10, test_percent: int = 10) -> str:
    """Hash buckets, so an article keeps its split whatever else is in the corpus."""
    bucket = int(hashlib.sha256(str(pmid).encode()).hexdigest()[:8], 16) % 100
    if bucket < test_percent:
        return "test"
    if bucket < test_percent + validation_percent:
        return "validation"
    return "train"
