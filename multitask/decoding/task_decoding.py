"""How a task turns decoded tokens into its answer, and what it allows the decoder to say."""

from __future__ import annotations

from typing import Any

from allennlp.common import Registrable
from allennlp.data import Vocabulary
from allennlp.nn.beam_search import Constraint


class TaskDecoding(Registrable):
    """A task's decoding hooks; the framework calls them by the task's registered choice.

    ``constraint`` may return an AllenNLP beam-search ``Constraint`` over the extended
    vocabulary (ids past the target vocabulary are copied out-of-vocabulary words).
    ``postprocess`` turns answer tokens into the task's answer (the predictor's output);
    ``metric_prediction`` turns that answer into what the task's metric compares with gold.
    """

    default_implementation = "free_text"

    def constraint(self, vocab: Vocabulary, namespace: str) -> Constraint | None:
        return None

    def postprocess(self, tokens: list[str]) -> Any:
        raise NotImplementedError

    def metric_prediction(self, answer: Any) -> Any:
        return answer


@TaskDecoding.register("free_text")
class FreeTextDecoding(TaskDecoding):
    """Answer tokens joined by spaces (SQuAD, NLI, summarization, custom tasks)."""

    def postprocess(self, tokens: list[str]) -> str:
        return " ".join(tokens)
