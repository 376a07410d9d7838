"""What every task reader produces: a question, a context and (when training) an answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class QAExample:
    """One task record framed as question answering, before tokenization.

    ``gold`` is what the task's metric compares predictions against (for MeSH: the set of
    descriptor UIs; for text tasks: the answer string or strings); ``metadata`` travels to
    the predictor output unchanged (e.g. the PMID).
    """

    task: str
    question: str
    context: str
    answer: str | None = None
    gold: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
