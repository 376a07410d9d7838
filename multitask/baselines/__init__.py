"""Non-neural baselines for MeSH indexing that the MQAN model has to beat.

Both are scored with the project's own measures (:mod:`multitask.metrics`) so that their
numbers sit next to the model's without any translation:

* :class:`FrequencyBaseline`: always the k most frequent training headings.
* :class:`TfidfOmikujiBaseline`: TF-IDF over title + abstract with an omikuji (Parabel)
  tree-based extreme classifier, thresholded on the validation split.
"""

from multitask.baselines.common import (
    Scores,
    article_labels,
    article_text,
    score,
)
from multitask.baselines.frequency import FrequencyBaseline
from multitask.baselines.runner import BaselineResult, format_table, run_baselines
from multitask.baselines.tfidf_omikuji import (
    OMIKUJI_MISSING,
    TfidfOmikujiBaseline,
    omikuji_available,
)

__all__ = [
    "OMIKUJI_MISSING",
    "BaselineResult",
    "FrequencyBaseline",
    "Scores",
    "TfidfOmikujiBaseline",
    "article_labels",
    "article_text",
    "format_table",
    "omikuji_available",
    "run_baselines",
    "score",
]
