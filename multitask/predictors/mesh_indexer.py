"""`allennlp predict ... --predictor mesh_indexer`: BioASQ test-set lines in, MeSH labels out."""

from __future__ import annotations

import json
from typing import Any

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.errors import UserInputError
from multitask.predictors.task_reader import task_reader

MESH_TASK = "mesh_indexing"

REQUIRED_FIELDS = ("pmid", "title", "abstractText")


class PredictionInputError(UserInputError):
    pass


@Predictor.register("mesh_indexer")
class MeshIndexerPredictor(Predictor):
    """Input lines ``{"pmid", "title", "abstractText"}``; output ``{"pmid", "labels"}`` with
    labels as ``{"ui", "name"}`` (plus ``invalid_labels``, texts that name no descriptor, if
    any). A bad line stops the run with its line number.
    """

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
        missing = [name for name in REQUIRED_FIELDS if name not in data]
        if missing:
            raise PredictionInputError(
                f"input line {self._line_number}: missing field(s) {', '.join(missing)} "
                f"(each line needs {', '.join(REQUIRED_FIELDS)})"
            )
        return data

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return task_reader(self._dataset_reader, MESH_TASK).text_to_instance(
            pmid=str(json_dict["pmid"]),
            title=json_dict.get("title") or "",
            abstractText=json_dict.get("abstractText") or "",
        )

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self._format(inputs, super().predict_json(inputs))

    def predict_batch_json(self, inputs: list[JsonDict]) -> list[JsonDict]:
        return [self._format(i, o) for i, o in zip(inputs, super().predict_batch_json(inputs))]

    @staticmethod
    def _format(inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        formatted = {"pmid": str(inputs["pmid"]), "labels": outputs["answer"]["labels"]}
        if outputs["answer"]["invalid"]:  # only without the decoding constraint, or cut short
            formatted["invalid_labels"] = outputs["answer"]["invalid"]
        return formatted
