"""Natural language inference as question answering, framed as in decaNLP.

context  = "Premise: <premise>"
question = "Hypothesis: <hypothesis> -- entailment, neutral, or contradiction?"
answer   = the label word, which the model can copy from the question.

Layouts read (one JSON object per line, detected per line):

- SNLI / MultiNLI's own jsonl: ``sentence1``, ``sentence2``, ``gold_label`` (MultiNLI adds
  ``genre``); ``gold_label`` "-" (annotators did not agree) is skipped and counted.
- ``premise`` / ``hypothesis`` / ``label`` (GLUE / Hugging Face datasets): the label is a
  word or an int 0/1/2 = entailment/neutral/contradiction; -1 (no label) is skipped, counted.
"""

import logging
from collections.abc import Iterator
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance

from multitask.data.errors import CorpusFormatError
from multitask.data.read_stats import ReadStats
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from multitask.qa.reader import QADatasetReader
from tasks.generic import read_jsonl_objects, text_field

logger = logging.getLogger(__name__)

LABELS = ("entailment", "neutral", "contradiction")  # index = Hugging Face's int label
NO_LABEL = object()  # "-", -1, or no label field: a pair without a gold label


def question_for(hypothesis: str) -> str:
    return f"Hypothesis: {hypothesis.strip()} -- entailment, neutral, or contradiction?"


def context_for(premise: str) -> str:
    return f"Premise: {premise.strip()}"


def parse_label(value: Any, path: str, where: str) -> Any:
    """The label word, or ``NO_LABEL``; anything else is a format error naming the record."""
    if value is None or value == "-" or value == -1 or value == "":
        return NO_LABEL
    if isinstance(value, bool):  # bool is an int: True is not a label
        pass
    elif isinstance(value, int) and 0 <= value < len(LABELS):
        return LABELS[value]
    elif isinstance(value, str) and value.strip().lower() in LABELS:
        return value.strip().lower()
    raise CorpusFormatError(
        path, where, f"unknown label {value!r} (expected one of {LABELS}, 0/1/2, '-' or -1)"
    )


@DatasetReader.register("decanlp_nli")
class NLIReader(QADatasetReader):
    """SNLI and MultiNLI in either jsonl layout; pairs without a gold label are skipped."""

    def __init__(
        self, task_name: str = "nli", builder: Optional[QAInstanceBuilder] = None, **kwargs
    ) -> None:
        super().__init__(builder=builder, **kwargs)
        self.task_name = task_name
        self.last_stats: Optional[ReadStats] = None  # counts of the latest read, for callers

    def make_example(
        self, premise: str, hypothesis: str, label: Optional[str], metadata: dict[str, Any]
    ) -> QAExample:
        return QAExample(
            task=self.task_name,
            question=question_for(hypothesis),
            context=context_for(premise),
            answer=label,
            gold=label,
            metadata=metadata,
        )

    def record_to_example(self, obj: dict[str, Any], path: str, where: str) -> Any:
        """A ``QAExample``, or ``NO_LABEL`` for a pair that has no gold label."""
        if "sentence1" in obj or "sentence2" in obj:
            premise = text_field(obj, "sentence1", path, where)
            hypothesis = text_field(obj, "sentence2", path, where)
            label = parse_label(obj.get("gold_label"), path, where)
        elif "premise" in obj or "hypothesis" in obj:
            premise = text_field(obj, "premise", path, where)
            hypothesis = text_field(obj, "hypothesis", path, where)
            label = parse_label(obj.get("label"), path, where)
        else:
            raise CorpusFormatError(
                path,
                where,
                f"not an NLI record: expected sentence1/sentence2/gold_label or "
                f"premise/hypothesis/label, got fields {sorted(obj)}",
            )
        if label is NO_LABEL:
            return NO_LABEL
        metadata: dict[str, Any] = {}
        for key in ("pairID", "idx", "id"):
            if key in obj:
                metadata["id"] = str(obj[key])
                break
        if "genre" in obj:
            metadata["genre"] = obj["genre"]
        return self.make_example(premise, hypothesis, label, metadata)

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = self.last_stats = ReadStats()
        for lineno, obj in read_jsonl_objects(file_path, stats):
            where = f"line {lineno}"
            example = self.record_to_example(obj, file_path, where)
            if example is NO_LABEL:
                stats.skip("no gold label ('-', -1 or missing)", f"{file_path}, {where}")
                continue
            stats.kept += 1
            yield example
        if stats.read == 0:
            raise CorpusFormatError(file_path, "line 1", "no records (only blank lines)")
        logger.info("%s (%s):\n%s", file_path, self.task_name, stats.summary())

    def text_to_instance(  # type: ignore[override]
        self, premise: str, hypothesis: str, label: Optional[str] = None, **metadata: Any
    ) -> Instance:
        """A prediction-time instance (the label, when given, is checked and kept as gold)."""
        word = None if label is None else parse_label(label, "<input>", "record")
        word = None if word is NO_LABEL else word
        return self.builder.build(self.make_example(premise, hypothesis, word, metadata))
