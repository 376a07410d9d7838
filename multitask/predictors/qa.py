"""`allennlp predict ... --predictor multitask_qa`: any task, ``{"task", "context", "question"}``
in, ``{"task", "answer"}`` out.
"""

import json
from typing import Any

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.predictors.mesh_indexer import PredictionInputError
from multitask.predictors.task_reader import task_reader
from multitask.qa.example import QAExample

REQUIRED_FIELDS = ("task", "context", "question")


@Predictor.register("multitask_qa")
class MultiTaskQAPredictor(Predictor):
    """Answers a question about a context for the named task, with that task's decoding
    (constraints and post-processing: MeSH answers come back as labels with UIs).
    """

    def __init__(self, model, dataset_reader, frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        self._line_number = 0

    def load_line(self, line: str) -> JsonDict:
        self._line_number += 1  # `allennlp predict` drops blank lines before this
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise PredictionInputError(
                f"input line {self._line_number}: not JSON ({error.msg} at column {error.colno})"
            ) from None
        missing = [f for f in REQUIRED_FIELDS if not isinstance(data, dict) or f not in data]
        if missing:
            raise PredictionInputError(
                f"input line {self._line_number}: missing field(s) {', '.join(missing)} "
                f"(each line needs {', '.join(REQUIRED_FIELDS)})"
            )
        return data

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        task = json_dict["task"]
        reader = task_reader(self._dataset_reader, task)
        example = QAExample(
            task=task, question=json_dict["question"], context=json_dict["context"]
        )
        return reader.example_to_instance(example)

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self._format(inputs, super().predict_json(inputs))

    def predict_batch_json(self, inputs: list[JsonDict]) -> list[JsonDict]:
        return [self._format(i, o) for i, o in zip(inputs, super().predict_batch_json(inputs))]

    @staticmethod
    def _format(inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        return {"task": inputs["task"], "answer": outputs["answer"]}
