"""`allennlp predict ... --predictor mesh_indexer`: BioASQ test-set lines in, MeSH labels out."""

from typing import Any

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.predictors.json_lines import (
    JsonLinePredictor,
    PredictionInputError,
    describe_json_value,
    string_field_problem,
)
from multitask.predictors.length_batches import predict_in_length_order
from multitask.predictors.task_reader import task_reader
from tasks.mesh_indexing.reader import TASK as MESH_TASK

__all__ = ["NO_TEXT_REASON", "MeshIndexerPredictor", "PredictionInputError"]

#: Why an article gets no labels without running the model (BioASQ still wants its PMID).
NO_TEXT_REASON = "empty title and abstractText: nothing to index"


@Predictor.register("mesh_indexer")
class MeshIndexerPredictor(JsonLinePredictor):
    """Input lines ``{"pmid", "title", "abstractText"}``; output ``{"pmid", "labels"}`` with
    labels as ``{"ui", "name"}``, with ``"score"`` (the label head's probability) when the
    model has one (plus ``invalid_labels``, texts that name no descriptor, if
    any). A bad line stops the run with its line number: ``pmid`` must be a non-empty string
    or an integer (never null: a submission needs it), ``title`` and ``abstractText`` strings
    (null counts as empty). An article whose title and abstract are both empty is not given
    to the model: it comes back with ``"labels": []`` and ``"reason"``.
    """

    required_fields = ("pmid", "title", "abstractText")
    # rows per forward pass: a larger `allennlp predict --batch-size` (say 256) is cut into
    # batches of this size by abstract length, which saves the padding
    model_batch_size = 32

    def predict_batch_instance(self, instances: list[Instance]) -> list[JsonDict]:
        return predict_in_length_order(
            instances, super().predict_batch_instance, self.model_batch_size
        )

    def check_input(self, data: JsonDict) -> str | None:
        problem = super().check_input(data)
        if problem is not None:
            return problem
        pmid = data["pmid"]
        if isinstance(pmid, bool) or not isinstance(pmid, int | str) or not str(pmid).strip():
            return f"field pmid must be a string or an integer, got {describe_json_value(pmid)}"
        for name in ("title", "abstractText"):
            problem = string_field_problem(data, name, allow_null=True)
            if problem is not None:
                return problem
        return None

    def _batch_json_to_instances(self, json_dicts: list[JsonDict]) -> list[Instance]:
        # one retriever call for the whole batch instead of one per abstract
        return task_reader(self._dataset_reader, MESH_TASK).texts_to_instances(
            [
                {
                    "pmid": str(data["pmid"]),
                    "title": data.get("title") or "",
                    "abstractText": data.get("abstractText") or "",
                }
                for data in json_dicts
            ]
        )

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return task_reader(self._dataset_reader, MESH_TASK).text_to_instance(
            pmid=str(json_dict["pmid"]),
            title=json_dict.get("title") or "",
            abstractText=json_dict.get("abstractText") or "",
        )

    def format_output(self, inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        formatted = {"pmid": str(inputs["pmid"]), "labels": outputs["answer"]["labels"]}
        if outputs["answer"]["invalid"]:  # only without the decoding constraint, or cut short
            formatted["invalid_labels"] = outputs["answer"]["invalid"]
        return formatted

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        self._raise_if_bad(inputs, "input")
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: list[JsonDict]) -> list[JsonDict]:
        """Articles with text go to the model in one batch; the others get no labels."""
        for index, data in enumerate(inputs):
            self._raise_if_bad(data, f"input {index + 1} of the batch")
        with_text = [i for i, data in enumerate(inputs) if _has_text(data)]
        predicted = super().predict_batch_json([inputs[i] for i in with_text]) if with_text else []
        outputs: list[JsonDict] = [
            {"pmid": str(data["pmid"]), "labels": [], "reason": NO_TEXT_REASON} for data in inputs
        ]
        for index, output in zip(with_text, predicted):
            outputs[index] = output
        return outputs


def _has_text(data: JsonDict) -> bool:
    return any((data.get(name) or "").strip() for name in ("title", "abstractText"))
