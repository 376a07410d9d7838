"""The base every task reader extends: records in, QA instances out."""

import logging
from collections.abc import Iterable, Iterator
from typing import Optional

from allennlp.data import DatasetReader, Instance

from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder

logger = logging.getLogger(__name__)


class QADatasetReader(DatasetReader):
    """A task says how raw records become ``QAExample``s; the instance building is shared.

    Subclasses implement ``examples(file_path)`` and may override ``text_to_instance`` to
    build a prediction-time example from JSON. Truncation counts are logged after each read.
    """

    def __init__(self, builder: Optional[QAInstanceBuilder] = None, **kwargs) -> None:
        super().__init__(
            manual_distributed_sharding=True, manual_multiprocess_sharding=True, **kwargs
        )
        self.builder = builder or QAInstanceBuilder()

    def examples(self, file_path: str) -> Iterable[QAExample]:
        raise NotImplementedError

    def _read(self, file_path: str) -> Iterator[Instance]:
        before = self.builder.built
        truncated_before = sum(self.builder.truncated.values())
        for example in self.shard_iterable(self.examples(file_path)):
            # indexers are added by `read` in the main process (AllenNLP's data-loader
            # workers must send instances without them)
            yield self.builder.build(example, index=False)
        built = self.builder.built - before
        truncated = sum(self.builder.truncated.values()) - truncated_before
        logger.info(
            "%s: %d instances (%d truncations so far in this reader: %s)",
            file_path,
            built,
            truncated,
            self.builder.truncation_report(),
        )

    def apply_token_indexers(self, instance: Instance) -> None:
        self.builder.apply_token_indexers(instance)

    def example_to_instance(self, example: QAExample) -> Instance:
        return self.builder.build(example)
