"""What every task reader produces: a question, a context and (when training) an answer."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class QACandidate:
    """One option listed in the question (decaNLP poses a choice by naming the options).

    ``label`` is the option's id for a label-scoring head (e.g. a descriptor UI), ``text``
    what the question says, ``features`` the retriever's scores for it.
    """

    label: str
    text: str
    features: tuple[float, ...] = ()


@dataclass
class QAExample:
    """One task record framed as question answering, before tokenization.

    ``gold`` is what the task's metric compares predictions against (for MeSH: the set of
    descriptor UIs; for text tasks: the answer string or strings); ``metadata`` travels to
    the predictor output unchanged (e.g. the PMID).

    ``candidates`` are listed after the question, separated by the builder's separator;
    ``labels`` are the gold label ids a label-scoring head learns from (multi-label tasks).
    """

    task: str
    question: str
    context: str
    answer: str | None = None
    gold: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    candidates: list[QACandidate] | None = None
    labels: Collection[str] | None = None
