"""Task metrics: multi-label (BioASQ's MiF, EBF, MaF, HiF), SQuAD nF1/EM, exact match, ROUGE."""

from multitask.metrics.multilabel import (
    example_based_f1,
    example_f1,
    hierarchical_prf,
    label_counts,
    macro_f1,
    micro_prf,
    prf,
)
from multitask.metrics.multilabel_metric import MultiLabelF1
from multitask.metrics.rouge import Rouge
from multitask.metrics.text_metrics import (
    ExactMatch,
    SquadMetric,
    exact_match_score,
    f1_score,
    normalize_answer,
)

__all__ = [
    "ExactMatch",
    "Rouge",
    "SquadMetric",
    "exact_match_score",
    "f1_score",
    "normalize_answer",
    "MultiLabelF1",
    "example_based_f1",
    "example_f1",
    "hierarchical_prf",
    "label_counts",
    "macro_f1",
    "micro_prf",
    "prf",
]
