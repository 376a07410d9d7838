"""`allennlp evaluate` on a file with nothing to score is an error, not ``{}`` and exit 0.

A BioASQ test set has no MeSH headings: the reader skips every article (counted in its log),
the model sees no gold answer, and AllenNLP would write empty metrics as if all went well.
"""

from __future__ import annotations

import functools
from typing import Any

from allennlp.common.util import dump_metrics
from allennlp.evaluation.evaluator import SimpleEvaluator

from multitask.errors import UserInputError


class NothingToScoreError(UserInputError):
    """The evaluation data held no instance with a gold answer."""


def _data_path(data_loader: Any) -> str:
    path = getattr(data_loader, "data_path", None) or getattr(data_loader, "data_paths", None)
    return str(path) if path is not None else "the evaluation data"


def _checked_call(original: Any) -> Any:
    @functools.wraps(original)
    def call(
        self: SimpleEvaluator,
        model: Any,
        data_loader: Any,
        batch_weight_key: str | None = None,
        metrics_output_file: Any = None,
        predictions_output_file: Any = None,
    ) -> dict[str, Any]:
        metrics = original(
            self, model, data_loader, batch_weight_key, None, predictions_output_file
        )
        if not metrics:
            raise NothingToScoreError(
                f"nothing to score in {_data_path(data_loader)}: no instance with a gold answer "
                "was read (a test set without labels? the reader's log counts what it skipped); "
                "label it with `allennlp predict` instead"
            )
        if metrics_output_file is not None:
            dump_metrics(str(metrics_output_file), metrics, log=True)
        return metrics

    call.__checked_by_multitask__ = True  # type: ignore[attr-defined]
    return call


def install_evaluate_check() -> None:
    """Make every SimpleEvaluator refuse an evaluation that scored nothing."""
    if not getattr(SimpleEvaluator.__call__, "__checked_by_multitask__", False):
        SimpleEvaluator.__call__ = _checked_call(SimpleEvaluator.__call__)
