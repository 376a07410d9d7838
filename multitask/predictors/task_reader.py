"""Find the reader of one task inside a single-task or a multi-task archive."""

from allennlp.data import DatasetReader
from allennlp.data.dataset_readers import MultiTaskDatasetReader

from multitask.errors import UserInputError


def task_reader(dataset_reader: DatasetReader, task: str) -> DatasetReader:
    if isinstance(dataset_reader, MultiTaskDatasetReader):
        readers = dataset_reader.readers
        if task not in readers:
            raise UserInputError(f"unknown task {task!r}: this model knows {sorted(readers)}")
        shim = readers[task]
        return getattr(shim, "inner", shim)
    return dataset_reader
