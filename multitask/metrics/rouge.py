"""ROUGE-1/2/L for summarization (decaNLP's CNN/DailyMail measure), via ``rouge-score``.

Google's ``rouge-score`` reimplements the official ROUGE-1.5.5 scoring with the Porter
stemmer, without the Perl script. Each example's F-measures are averaged over examples;
``avg`` is the mean of the three, decaNLP's single summarization number.
"""

from collections.abc import Sequence
from typing import Any

from allennlp.training.metrics import Metric

from multitask.metrics.text_metrics import AveragedMetric, Gold, gold_answers

ROUGE_TYPES = {"ROUGE-1": "rouge1", "ROUGE-2": "rouge2", "ROUGE-L": "rougeL"}


@Metric.register("decanlp_rouge")
class Rouge(AveragedMetric):
    """``ROUGE-1``, ``ROUGE-2``, ``ROUGE-L`` F-measures and their mean ``avg``.

    Registered as "decanlp_rouge": AllenNLP already registers "rouge" (its ``ROUGE`` works on
    token-id tensors), and these predictions and references are strings.

    With several references, each ROUGE type takes the best reference (``score_multi``).
    """

    keys = (*ROUGE_TYPES, "avg")

    def __init__(self, use_stemmer: bool = True) -> None:
        super().__init__()
        try:
            from rouge_score import rouge_scorer
        except ImportError as exc:  # an optional dependency: say how to get it
            raise ImportError(
                "the 'rouge' metric needs the rouge-score package: pip install rouge-score==0.1.2"
            ) from exc
        self.use_stemmer = use_stemmer
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES.values()), use_stemmer=use_stemmer)

    def scores(self, prediction: Any, gold: Gold) -> dict[str, float]:
        prediction = "" if prediction is None else str(prediction)
        references: Sequence[str] = gold_answers(gold)
        if len(references) == 1:
            found = self._scorer.score(references[0], prediction)
        else:
            found = self._scorer.score_multi(references, prediction)
        values = {key: float(found[name].fmeasure) for key, name in ROUGE_TYPES.items()}
        values["avg"] = sum(values.values()) / len(ROUGE_TYPES)
        return values
