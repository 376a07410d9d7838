"""Find the reader of one task inside a single-task or a multi-task archive, and the tasks an
archive knows (so that a question for another task is an error, not a made-up answer)."""

from allennlp.data import DatasetReader
from allennlp.data.dataset_readers import MultiTaskDatasetReader
from allennlp.models import Model

from multitask.errors import UserInputError


def known_tasks(model: Model, dataset_reader: DatasetReader) -> list[str]:
    """The tasks the archive was trained on: the multi-task reader's tasks, else the model's
    task settings and the reader's ``task_name``. Empty when the archive does not say."""
    if isinstance(dataset_reader, MultiTaskDatasetReader):
        return sorted(dataset_reader.readers)
    tasks = set(getattr(model, "tasks", None) or {})
    task_name = getattr(dataset_reader, "task_name", None)
    if isinstance(task_name, str):
        tasks.add(task_name)
    return sorted(tasks)


def task_reader(dataset_reader: DatasetReader, task: str) -> DatasetReader:
    if isinstance(dataset_reader, MultiTaskDatasetReader):
        readers = dataset_reader.readers
        if task not in readers:
            raise UserInputError(f"unknown task {task!r}: this model knows {sorted(readers)}")
        shim = readers[task]
        return getattr(shim, "inner", shim)
    return dataset_reader
