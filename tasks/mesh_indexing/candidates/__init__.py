"""Candidate retrieval for task readers: :class:`CandidateSource` (the reader's side),
:mod:`.building` (fitting, by fold, in parallel, resumable) and :mod:`.store` (the on-disk
shards, read lazily)."""

from tasks.mesh_indexing.candidates.source import CandidateSource, Record, fold_of

__all__ = ["CandidateSource", "Record", "fold_of"]
