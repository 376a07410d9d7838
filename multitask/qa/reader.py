"""The base every task reader extends: records in, QA instances out."""

import hashlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance

from multitask.data.read_stats import ReadStats
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder

logger = logging.getLogger(__name__)

#: the parts a single file can be split into (``split_part``)
SPLIT_PARTS = ("train", "held_out")


class QADatasetReader(DatasetReader):
    """A task says how raw records become ``QAExample``s; the instance building is shared.

    Subclasses implement ``examples(file_path)`` and may override ``text_to_instance`` to
    build a prediction-time example from JSON. Truncation counts are logged after each read.

    # Parameters

    split_part : `str`, optional (default = `None`)
        ``"train"`` or ``"held_out"`` to read only that part of every file, for data that
        comes as one file (the dev-set copies of SQuAD and NLI in ../shared/data). Examples
        are assigned by a hash of :meth:`split_key` (the context by default, so questions
        about one paragraph or hypotheses about one premise stay together): deterministic,
        and the two parts never share a context. ``None`` reads everything.
    held_out_percent : `int`, optional (default = `20`)
        The share of split keys in the held-out part.
    """

    #: Fields of a ``multitask_qa`` prediction input for this task, passed to
    #: ``text_to_instance`` by name, when the task builds its own question (MeSH lists
    #: retrieved candidates in it); empty: the input gives ``context`` and ``question``.
    prediction_fields: tuple[str, ...] = ()

    def __init__(
        self,
        builder: Optional[QAInstanceBuilder] = None,
        split_part: Optional[str] = None,
        held_out_percent: int = 20,
        **kwargs,
    ) -> None:
        super().__init__(
            manual_distributed_sharding=True, manual_multiprocess_sharding=True, **kwargs
        )
        self.builder = builder or QAInstanceBuilder()
        if split_part not in (None, *SPLIT_PARTS):
            raise ValueError(f"split_part must be one of {SPLIT_PARTS} or null, got {split_part!r}")
        if not 0 < held_out_percent < 100:
            raise ValueError(f"held_out_percent must be between 1 and 99, got {held_out_percent}")
        self.split_part = split_part
        self.held_out_percent = held_out_percent

    def split_key(self, example: QAExample) -> str:
        """What decides an example's part: its context (override for another key)."""
        return example.context

    def part_of(self, example: QAExample) -> str:
        digest = hashlib.sha256(self.split_key(example).encode("utf-8")).hexdigest()
        return "held_out" if int(digest[:8], 16) % 100 < self.held_out_percent else "train"

    def examples_in_part(self, file_path: str) -> Iterator[QAExample]:
        """:meth:`examples` of ``file_path``, only those of ``split_part`` when it is set."""
        examples = self.examples(file_path)
        if self.split_part is None:
            yield from examples
            return
        kept = left = 0
        for example in examples:
            if self.part_of(example) == self.split_part:
                kept += 1
                yield example
            else:
                left += 1
        logger.info(
            "%s: %s part (%d%% of contexts held out): %d examples kept, %d in the other part",
            file_path,
            self.split_part,
            self.held_out_percent,
            kept,
            left,
        )

    def examples(self, file_path: str) -> Iterable[QAExample]:
        raise NotImplementedError

    def _read(self, file_path: str) -> Iterator[Instance]:
        before = self.builder.built
        truncated_before = sum(self.builder.truncated.values())
        for example in self.shard_iterable(self.examples_in_part(file_path)):
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


class FixedQuestionReader(QADatasetReader):
    """A task that asks every example the same question (summarization, title generation,
    continuation): the task name and the question come from the config, and the counts of
    the latest read stay on the reader for callers (``last_stats``).

    # Parameters

    task_name : `str`
        The task's name in the model's `tasks` and in metrics.
    question : `str`
        What every example asks.
    builder : `QAInstanceBuilder`, optional
    """

    def __init__(
        self,
        task_name: str,
        question: str,
        builder: Optional[QAInstanceBuilder] = None,
        **kwargs,
    ) -> None:
        super().__init__(builder=builder, **kwargs)
        self.task_name = task_name
        self.question = question
        self.last_stats: Optional[ReadStats] = None

    def example(self, context: str, answer: Optional[str], **metadata: Any) -> QAExample:
        """The task's question about ``context``; ``answer`` is also the gold (None at
        prediction time)."""
        return QAExample(
            task=self.task_name,
            question=self.question,
            context=context,
            answer=answer,
            gold=answer,
            metadata=metadata,
        )
