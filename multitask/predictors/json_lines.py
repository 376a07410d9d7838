"""The base of this project's predictors: checked JSON input lines and task-shaped output."""

import json
from typing import Any

from allennlp.common.util import JsonDict
from allennlp.predictors import Predictor

from multitask.errors import UserInputError


class PredictionInputError(UserInputError):
    pass


class JsonLinePredictor(Predictor):
    """Checks each input line (JSON object with ``required_fields``) and names a bad one by its
    number; subclasses shape the model's output for the task in ``format_output``.
    """

    required_fields: tuple[str, ...] = ()

    def __init__(self, model, dataset_reader, frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        self._line_number = 0

    def load_line(self, line: str) -> JsonDict:
        # `allennlp predict` drops blank lines before calling this: lines are numbered
        # among the non-blank ones.
        self._line_number += 1
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise PredictionInputError(
                f"input line {self._line_number}: not JSON ({error.msg} at column {error.colno})"
            ) from None
        if not isinstance(data, dict):
            raise PredictionInputError(f"input line {self._line_number}: expected a JSON object")
        missing = [name for name in self.required_fields if name not in data]
        if missing:
            raise PredictionInputError(
                f"input line {self._line_number}: missing field(s) {', '.join(missing)} "
                f"(each line needs {', '.join(self.required_fields)})"
            )
        return data

    def format_output(self, inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        raise NotImplementedError

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.format_output(inputs, super().predict_json(inputs))

    def predict_batch_json(self, inputs: list[JsonDict]) -> list[JsonDict]:
        outputs = super().predict_batch_json(inputs)
        return [self.format_output(i, o) for i, o in zip(inputs, outputs)]
