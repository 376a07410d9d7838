"""Per-task plug-ins of the shared model: decoding hooks, metric, and the headline number."""

from typing import Optional

from allennlp.common import FromParams
from allennlp.training.metrics import Metric

from multitask.decoding.task_decoding import FreeTextDecoding, TaskDecoding


class TaskSpec(FromParams):
    """What the model needs to know about one task, all chosen by registered name in config.

    ``headline`` names the metric key that counts towards the decaScore (e.g. "MiF").
    ``serialization_dir`` is AllenNLP's, accepted so that it reaches ``decoding`` (which
    may keep files in the model archive).
    """

    def __init__(
        self,
        decoding: Optional[TaskDecoding] = None,
        metric: Optional[Metric] = None,
        headline: Optional[str] = None,
        serialization_dir: Optional[str] = None,
    ) -> None:
        self.decoding = decoding or FreeTextDecoding()
        self.metric = metric
        self.headline = headline
