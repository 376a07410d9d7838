"""Candidate retrieval: cheap multi-label retrievers whose top-K labels go into the question.

decaNLP poses a choice by listing the options in the question; for MeSH indexing the options
are the K descriptors a fast retriever proposes, so the question pointer can copy them.
"""

from multitask.retrieval.base import Candidate, CandidateRetriever
from multitask.retrieval.ensemble import EnsembleRetriever
from multitask.retrieval.knn import TfidfKnnRetriever
from multitask.retrieval.omikuji_retriever import TfidfOmikujiRetriever
from multitask.retrieval.source import CandidateSource, Record

__all__ = [
    "Candidate",
    "CandidateRetriever",
    "CandidateSource",
    "EnsembleRetriever",
    "Record",
    "TfidfKnnRetriever",
    "TfidfOmikujiRetriever",
]
