"""A user's own task in decaNLP's custom-task layout: one ``{context, question, answer}``
object per line of a ``.jsonl`` file (``answer`` may be absent at prediction time).

Every field other than those three travels in the instance metadata (e.g. an ``id``), so a
prediction can be matched back to its record. ``gold`` is the answer string.

``read_jsonl_objects`` is shared by the other jsonl-reading tasks (NLI, summarization): one
place that names the file and line of every bad record.
"""

import json
import logging
import os
from collections.abc import Iterator
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance

from multitask.data.errors import CorpusFormatError
from multitask.data.files import FILE_ERRORS, open_binary
from multitask.data.read_stats import ReadStats
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from multitask.qa.reader import QADatasetReader

logger = logging.getLogger(__name__)

FIELDS = ("context", "question", "answer")


def read_jsonl_objects(
    file_path: str, stats: Optional[ReadStats] = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of a JSON Lines file (gzip too).

    Blank lines are not records. Undecodable lines, malformed JSON and non-object values
    raise ``CorpusFormatError`` naming ``file_path`` and the line: a task file with a bad
    line is a file to fix, not records to drop silently. ``stats.read`` counts records.
    """
    name = os.fspath(file_path)
    lineno = 0
    with open_binary(name) as fh:
        try:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                if stats is not None:
                    stats.read += 1
                where = f"line {lineno}"
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise CorpusFormatError(name, where, f"not UTF-8: {exc}") from exc
                except json.JSONDecodeError as exc:
                    raise CorpusFormatError(
                        name, where, f"malformed JSON ({exc.msg}, column {exc.colno})"
                    ) from exc
                if not isinstance(obj, dict):
                    raise CorpusFormatError(
                        name, where, f"expected a JSON object, got {type(obj).__name__}"
                    )
                yield lineno, obj
        except FILE_ERRORS as exc:
            raise CorpusFormatError(
                name, f"line {lineno + 1}", f"cannot read ({type(exc).__name__}: {exc})"
            ) from exc


def text_field(obj: dict[str, Any], key: str, path: str, where: str, required: bool = True) -> Any:
    """``obj[key]`` as a string; a missing required or non-string value names the record."""
    value = obj.get(key)
    if value is None:
        if required:
            raise CorpusFormatError(path, where, f"missing field {key!r} (has {sorted(obj)})")
        return None
    if not isinstance(value, str):
        raise CorpusFormatError(
            path, where, f"field {key!r} must be a string, got {type(value).__name__}"
        )
    return value


@DatasetReader.register("decanlp_jsonl")
class DecaNLPJsonlReader(QADatasetReader):
    """Any question-answering task given as ``{context, question, answer}`` lines.

    ``task_name`` is required: it picks the task's decoding and metric in the model config.
    """

    def __init__(
        self, task_name: str, builder: Optional[QAInstanceBuilder] = None, **kwargs
    ) -> None:
        super().__init__(builder=builder, **kwargs)
        self.task_name = task_name
        self.last_stats: Optional[ReadStats] = None  # counts of the latest read, for callers

    def record_to_example(self, obj: dict[str, Any], path: str, where: str) -> QAExample:
        answer = text_field(obj, "answer", path, where, required=False)
        return QAExample(
            task=self.task_name,
            question=text_field(obj, "question", path, where),
            context=text_field(obj, "context", path, where),
            answer=answer,
            gold=answer,
            metadata={key: value for key, value in obj.items() if key not in FIELDS},
        )

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = self.last_stats = ReadStats()
        for lineno, obj in read_jsonl_objects(file_path, stats):
            stats.kept += 1
            yield self.record_to_example(obj, file_path, f"line {lineno}")
        if stats.read == 0:
            raise CorpusFormatError(file_path, "line 1", "no records (only blank lines)")
        logger.info("%s (%s):\n%s", file_path, self.task_name, stats.summary())

    def text_to_instance(  # type: ignore[override]
        self, context: str, question: str, answer: Optional[str] = None, **metadata: Any
    ) -> Instance:
        """A prediction-time instance from one record's fields (``answer`` optional)."""
        record = {"context": context, "question": question, "answer": answer, **metadata}
        return self.builder.build(self.record_to_example(record, "<input>", "record"))
