"""Held-out questions of every task of an archive, as `multitask_qa` predictor input.

To look at what a multi-task model answers, each task needs inputs in the form its predictor
takes, with the gold answer beside them. They come from that task's reader in the archive, so
they are worded as in training; a reader that trained on the ``train`` part of a single file
gives questions from its ``held_out`` part.

Most tasks take ``context`` and ``question``, which their reader's examples hold. A task whose
reader builds its own question from raw fields (its ``prediction_fields``: MeSH lists
retrieved candidates in it) needs those fields, and only the task knows how its records give
them: it registers a :class:`PredictionInputs` under its reader's registered name, so the
framework finds it through the reader and names no task.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from allennlp.common import Registrable
from allennlp.data import DatasetReader
from allennlp.models.archival import load_archive

from multitask.errors import UserInputError
from multitask.evaluation import check_task_files, use_held_out_part
from multitask.predictors.task_reader import task_reader


class PredictionInputs(Registrable):
    """Turns a task's file into `multitask_qa` inputs, each with a ``gold`` answer.

    Registered under the name of the reader it serves (``@DatasetReader.register``'s name).
    """

    default_implementation = "qa_examples"

    def inputs(self, task: str, reader: DatasetReader, file_path: str) -> Iterator[dict[str, Any]]:
        raise NotImplementedError


@PredictionInputs.register("qa_examples")
class QAExampleInputs(PredictionInputs):
    """A task asked with ``context`` and ``question``: its reader's examples, as they are."""

    def inputs(self, task: str, reader: DatasetReader, file_path: str) -> Iterator[dict[str, Any]]:
        for example in reader.examples_in_part(file_path):  # type: ignore[attr-defined]
            yield {
                "task": task,
                "context": example.context,
                "question": example.question,
                "gold": example.gold,
            }


def reader_name(reader: DatasetReader) -> str | None:
    """The name ``reader``'s class is registered under, if any."""
    for name in DatasetReader.list_available():
        if DatasetReader.resolve_class_name(name)[0] is type(reader):
            return name
    return None


def prediction_inputs_for(task: str, reader: DatasetReader) -> PredictionInputs:
    """The inputs registered for ``reader``; the reader's own examples when it takes
    ``context`` and ``question``; an error when it builds its own question and nothing is
    registered for it (its examples would not be what its predictor takes)."""
    name = reader_name(reader)
    if name is not None and name in PredictionInputs.list_available():
        return PredictionInputs.by_name(name)()
    fields = tuple(getattr(reader, "prediction_fields", ()))
    if fields:
        raise UserInputError(
            f"{task}: its reader ({name or type(reader).__name__}) builds its own question from "
            f"{', '.join(fields)}, and no PredictionInputs is registered under {name!r} to "
            "write them"
        )
    return QAExampleInputs()


@dataclass
class TaskQuestions:
    task: str
    file: str
    part: str  # which part of the file was read, in words
    inputs: list[dict[str, Any]]


def held_out_questions(
    archive_file: str, files: Mapping[str, str], per_task: int = 5
) -> list[TaskQuestions]:
    """Up to ``per_task`` predictor inputs (with ``gold``) per task, from ``files``
    (task -> path), in the order of ``files``."""
    check_task_files(files)
    archive = load_archive(archive_file)
    questions = []
    for task, path in files.items():
        reader = task_reader(archive.validation_dataset_reader, task)
        part = use_held_out_part(reader)
        rows = prediction_inputs_for(task, reader).inputs(task, reader, path)
        questions.append(TaskQuestions(task, path, part, list(islice(rows, per_task))))
    return questions
