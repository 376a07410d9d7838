"""Multi-label measures (BioASQ's MiF, EBF, MaF, HiF) and the AllenNLP metric that runs them."""

from multitask.metrics.mesh_metric import MultiLabelF1
from multitask.metrics.multilabel import (
    example_based_f1,
    example_f1,
    hierarchical_prf,
    label_counts,
    macro_f1,
    micro_prf,
    prf,
)

__all__ = [
    "MultiLabelF1",
    "example_based_f1",
    "example_f1",
    "hierarchical_prf",
    "label_counts",
    "macro_f1",
    "micro_prf",
    "prf",
]
