"""The base of this project's predictors: checked JSON input lines and task-shaped output."""

import json
from typing import Any

from allennlp.common.util import JsonDict
from allennlp.predictors import Predictor

from multitask.errors import UserInputError


class PredictionInputError(UserInputError):
    """An input line the predictor refuses; the message starts with ``input line N:``."""


class JsonLinePredictor(Predictor):
    """Checks each input line (a JSON object with ``required_fields``, each as
    ``check_input`` wants it) and names a bad one by its number, before any prediction runs;
    subclasses shape the model's output for the task in ``format_output``.
    """

    required_fields: tuple[str, ...] = ()

    def __init__(self, model, dataset_reader, frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        self._line_number = 0

    def load_line(self, line: str) -> JsonDict:
        """Lines counted as they come (blank ones included only if the caller passes them);
        `allennlp predict` numbers real file lines itself through :meth:`parse_line`."""
        self._line_number += 1
        return self.parse_line(line, self._line_number)

    def parse_line(self, line: str, line_number: int) -> JsonDict:
        """The checked JSON object of one input line, or PredictionInputError naming it."""
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise PredictionInputError(
                f"input line {line_number}: not JSON ({error.msg} at column {error.colno})"
            ) from None
        self._raise_if_bad(data, f"input line {line_number}")
        return data

    def check_input(self, data: JsonDict) -> str | None:
        """Why ``data`` cannot be predicted (one line, no position), or None. Subclasses add
        their field checks after this one."""
        missing = [name for name in self.required_fields if name not in data]
        if missing:
            return (
                f"missing field(s) {', '.join(missing)} "
                f"(each line needs {', '.join(self.required_fields)})"
            )
        return None

    def _raise_if_bad(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise PredictionInputError(f"{where}: expected a JSON object")
        problem = self.check_input(data)
        if problem is not None:
            raise PredictionInputError(f"{where}: {problem}")

    def format_output(self, inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        raise NotImplementedError

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        self._raise_if_bad(inputs, "input")
        return self.format_output(inputs, super().predict_json(inputs))

    def predict_batch_json(self, inputs: list[JsonDict]) -> list[JsonDict]:
        for index, data in enumerate(inputs):
            self._raise_if_bad(data, f"input {index + 1} of the batch")
        outputs = super().predict_batch_json(inputs)
        return [self.format_output(i, o) for i, o in zip(inputs, outputs)]


def string_field_problem(data: JsonDict, name: str, *, allow_null: bool = False) -> str | None:
    """Why field ``name`` is not a string (null allowed where ``allow_null``), or None."""
    value = data.get(name)
    if isinstance(value, str) or (value is None and allow_null):
        return None
    wanted = "a string or null" if allow_null else "a string"
    return f"field {name} must be {wanted}, got {describe_json_value(value)}"


def describe_json_value(value: Any) -> str:
    """What a JSON value is, in words for an error message ("null", "the number 123")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"the string {value!r}"
    return "an object" if isinstance(value, dict) else "a list"
