"""SQuAD 1.1 and 2.0 as question answering (decaNLP's first task).

One example per question: the paragraph is the context, the first answer text is the
training answer, and every answer text is gold (the metric takes the best match, as the
official evaluation does). SQuAD 2.0's impossible questions answer the word
"unanswerable", as in decaNLP, so the model says it rather than abstaining.

An answer that ends past the builder's ``max_context_tokens`` cannot be copied from the
truncated context; such examples are kept (their gold still counts) and counted in the log.
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

UNANSWERABLE = "unanswerable"


def load_squad_json(file_path: str) -> list[Any]:
    """The ``data`` list of a SQuAD file; unreadable or non-SQuAD JSON names the file."""
    name = os.fspath(file_path)
    with open_binary(name) as fh:
        try:
            document = json.loads(fh.read().decode("utf-8"))
        except json.JSONDecodeError as exc:
            raise CorpusFormatError(
                name, f"line {exc.lineno}, column {exc.colno}", f"malformed JSON ({exc.msg})"
            ) from exc
        except FILE_ERRORS as exc:
            raise CorpusFormatError(
                name, "file", f"cannot read ({type(exc).__name__}: {exc})"
            ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise CorpusFormatError(name, "top level", 'not SQuAD JSON: expected {"data": [...]}')
    return document["data"]


def _list(obj: Any, key: str, path: str, where: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, list):
        raise CorpusFormatError(path, where, f"expected a list in field {key!r}")
    return value


def _text(obj: Any, key: str, path: str, where: str) -> str:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, str):
        raise CorpusFormatError(path, where, f"expected a string in field {key!r}")
    return value


@DatasetReader.register("decanlp_squad")
class SquadReader(QADatasetReader):
    """Reads SQuAD 1.1 / 2.0 JSON (``data[].paragraphs[].qas[]``).

    A question with no answers that is not marked ``is_impossible`` is skipped and counted
    (it has nothing to learn or score against).
    """

    def __init__(
        self, task_name: str = "squad", builder: Optional[QAInstanceBuilder] = None, **kwargs
    ) -> None:
        super().__init__(builder=builder, **kwargs)
        self.task_name = task_name
        self.last_stats: Optional[ReadStats] = None  # counts of the latest read, for callers
        self.answers_beyond_context = 0  # in the latest read
        self.answers_not_found = 0  # in the latest read

    def _answer_tokens_end(self, context: str, answer: dict[str, Any], text: str) -> Optional[int]:
        """How many context tokens there are up to the end of the answer (None: not found)."""
        start = answer.get("answer_start")
        if not (isinstance(start, int) and context[start : start + len(text)] == text):
            start = context.find(text)
        if start < 0:
            return None
        return len(self.builder.tokenizer.tokenize(context[: start + len(text)]))

    def _check_reachable(self, context: str, answer: dict[str, Any], text: str) -> None:
        limit = self.builder.limits["context"]
        end = self._answer_tokens_end(context, answer, text)
        if end is None:
            self.answers_not_found += 1
        elif limit is not None and end > limit:
            self.answers_beyond_context += 1

    def question_to_example(
        self, qa: Any, context: str, path: str, where: str
    ) -> Optional[QAExample]:
        if not isinstance(qa, dict):
            raise CorpusFormatError(path, where, "expected a question object")
        question = _text(qa, "question", path, where)
        qid = qa.get("id")
        answers = _list(qa, "answers", path, where) if "answers" in qa else []
        texts = [a.get("text") for a in answers if isinstance(a, dict)]
        if len(texts) != len(answers) or not all(isinstance(t, str) for t in texts):
            raise CorpusFormatError(path, f"{where} (id {qid})", "answers need a 'text' string")
        if qa.get("is_impossible"):
            answer, gold = UNANSWERABLE, [UNANSWERABLE]
        elif texts:
            answer, gold = texts[0], texts
            self._check_reachable(context, answers[0], texts[0])
        else:
            return None
        return QAExample(
            task=self.task_name,
            question=question,
            context=context,
            answer=answer,
            gold=gold,
            metadata={"id": None if qid is None else str(qid)},
        )

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = self.last_stats = ReadStats()
        self.answers_beyond_context = self.answers_not_found = 0
        for i, article in enumerate(load_squad_json(file_path)):
            for j, paragraph in enumerate(_list(article, "paragraphs", file_path, f"data[{i}]")):
                where = f"data[{i}].paragraphs[{j}]"
                context = _text(paragraph, "context", file_path, where)
                for k, qa in enumerate(_list(paragraph, "qas", file_path, where)):
                    stats.read += 1
                    qa_where = f"{where}.qas[{k}]"
                    example = self.question_to_example(qa, context, file_path, qa_where)
                    if example is None:
                        stats.skip("no answers and not is_impossible", f"{file_path}, {qa_where}")
                        continue
                    stats.kept += 1
                    yield example
        logger.info("%s (%s):\n%s", file_path, self.task_name, stats.summary())
        logger.info(
            "%s: %d answers end past max_context_tokens=%s (kept; not copyable from the "
            "truncated context), %d answer texts not found in their paragraph",
            file_path,
            self.answers_beyond_context,
            self.builder.limits["context"],
            self.answers_not_found,
        )

    def text_to_instance(  # type: ignore[override]
        self, question: str, context: str, id: Optional[str] = None
    ) -> Instance:
        """A prediction-time instance: no answer, no gold."""
        example = QAExample(
            task=self.task_name, question=question, context=context, metadata={"id": id}
        )
        return self.builder.build(example)
