"""How a task turns decoded tokens into its answer, and what it allows the decoder to say."""

from __future__ import annotations

from typing import Any, Optional

from allennlp.common import Registrable
from allennlp.data import Vocabulary
from allennlp.nn.beam_search import Constraint

from multitask.decoding.banned_tokens import BannedTokensConstraint
from multitask.decoding.label_selection import LabelSelection


class TaskDecoding(Registrable):
    """A task's decoding hooks; the framework calls them by the task's registered choice.

    ``constraint`` may return an AllenNLP beam-search ``Constraint`` over the extended
    vocabulary (ids past the target vocabulary are copied out-of-vocabulary words).
    ``postprocess`` turns answer tokens into the task's answer (the predictor's output);
    ``metric_prediction`` turns that answer into what the task's metric compares with gold.

    Multi-label tasks may also set ``selection``: then the model passes the label head's
    probabilities to ``postprocess`` (``label_scores``, label -> probability), and the
    ``tune_label_selection`` training callback tunes the selection on validation, using
    ``decoded_labels`` (the labels the decoder emitted).
    """

    default_implementation = "free_text"
    selection: Optional[LabelSelection] = None

    def constraint(self, vocab: Vocabulary, namespace: str) -> Constraint | None:
        return None

    def postprocess(
        self, tokens: list[str], label_scores: Optional[dict[str, float]] = None
    ) -> Any:
        raise NotImplementedError

    def decoded_labels(self, tokens: list[str]) -> list[str]:
        """The label ids the decoder emitted (multi-label tasks with a ``selection``)."""
        raise NotImplementedError

    def metric_prediction(self, answer: Any) -> Any:
        return answer


@TaskDecoding.register("free_text")
class FreeTextDecoding(TaskDecoding):
    """Answer tokens joined by spaces (SQuAD, NLI, summarization, custom tasks).

    The decoder never says the unknown word (or padding) unless ``allow_unknown``: an
    out-of-vocabulary word it means is copied from the context or question instead, or
    the next-best word is used (see ``BannedTokensConstraint``).
    """

    def __init__(self, allow_unknown: bool = False) -> None:
        self.allow_unknown = allow_unknown

    def constraint(self, vocab: Vocabulary, namespace: str) -> Constraint | None:
        if self.allow_unknown:
            return None
        banned = {vocab.get_token_index(vocab._oov_token, namespace)}
        if vocab.is_padded(namespace):
            banned.add(vocab.get_token_index(vocab._padding_token, namespace))
        return BannedTokensConstraint(banned)

    def postprocess(
        self, tokens: list[str], label_scores: Optional[dict[str, float]] = None
    ) -> str:
        return " ".join(tokens)
