"""Free-text answer metrics: SQuAD's nF1 and EM (decaNLP's SQuAD and NLI measures).

The normalisation is the official SQuAD v1.1 evaluation script's, so scores are comparable
with published ones (reported here in [0, 1], not percent): lower-case, drop punctuation,
drop the articles a/an/the, collapse whitespace. F1 is over normalised tokens, and with
several gold answers the best one counts.
"""

import re
import string
from collections import Counter
from collections.abc import Sequence
from typing import Any, Union

from allennlp.nn.util import dist_reduce_sum, is_distributed
from allennlp.training.metrics import Metric

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)

Gold = Union[str, Sequence[str], None]


def normalize_answer(text: str) -> str:
    """The official SQuAD v1.1 ``normalize_answer``."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match_score(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def f1_score(prediction: str, gold: str) -> float:
    """Token F1 after normalisation; 0 when nothing is shared (as in SQuAD v1.1)."""
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(gold).split()
    same = sum((Counter(predicted) & Counter(expected)).values())
    if same == 0:
        return 0.0
    precision = same / len(predicted)
    recall = same / len(expected)
    return 2 * precision * recall / (precision + recall)


def gold_answers(gold: Gold) -> list[str]:
    """A gold string or list as a non-empty list (no gold scores against the empty answer)."""
    if gold is None:
        return [""]
    if isinstance(gold, str):
        return [gold]
    answers = [str(answer) for answer in gold]
    return answers or [""]


def best_over_gold(score, prediction: Any, gold: Gold) -> float:
    """``max`` of ``score(prediction, g)`` over the gold answers (``None`` predicts "")."""
    prediction = "" if prediction is None else str(prediction)
    return max(score(prediction, answer) for answer in gold_answers(gold))


class AveragedMetric(Metric):
    """Per-example scores summed batch by batch; ``get_metric`` reports their means.

    Under distributed training each worker's sums are reduced in ``__call__`` (every
    worker calls it once per batch), so ``get_metric`` is the same everywhere.
    """

    supports_distributed = True
    keys: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._sums = dict.fromkeys(self.keys, 0.0)
        self._count = 0

    def scores(self, prediction: Any, gold: Any) -> dict[str, float]:
        raise NotImplementedError

    def __call__(self, predictions: Sequence[Any], gold: Sequence[Any]) -> None:  # type: ignore[override]
        """Add one batch: ``predictions[i]`` is example i's answer, ``gold[i]`` its gold."""
        if len(predictions) != len(gold):
            raise ValueError(f"{len(predictions)} predictions for {len(gold)} gold answers")
        sums = dict.fromkeys(self.keys, 0.0)
        for prediction, expected in zip(predictions, gold):
            for key, value in self.scores(prediction, expected).items():
                sums[key] += value
        count = len(gold)
        if is_distributed():
            sums = {key: float(dist_reduce_sum(value)) for key, value in sums.items()}
            count = int(dist_reduce_sum(count))
        for key, value in sums.items():
            self._sums[key] += value
        self._count += count

    def get_metric(self, reset: bool = False) -> dict[str, float]:
        metrics = {key: self._sums[key] / self._count if self._count else 0.0 for key in self.keys}
        if reset:
            self.reset()
        return metrics

    def reset(self) -> None:
        self._sums = dict.fromkeys(self.keys, 0.0)
        self._count = 0


@Metric.register("decanlp_squad")
class SquadMetric(AveragedMetric):
    """decaNLP's SQuAD measures: ``nF1`` (normalised token F1) and ``EM`` (exact match)."""

    keys = ("nF1", "EM")

    def scores(self, prediction: Any, gold: Gold) -> dict[str, float]:
        return {
            "nF1": best_over_gold(f1_score, prediction, gold),
            "EM": best_over_gold(exact_match_score, prediction, gold),
        }


@Metric.register("decanlp_exact_match")
class ExactMatch(AveragedMetric):
    """``EM`` under SQuAD normalisation: NLI's accuracy when the answer is the label word."""

    keys = ("EM",)

    def scores(self, prediction: Any, gold: Gold) -> dict[str, float]:
        return {"EM": best_over_gold(exact_match_score, prediction, gold)}
