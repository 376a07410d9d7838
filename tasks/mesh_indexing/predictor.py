"""`allennlp predict ... --predictor mesh_indexer`: BioASQ test-set lines in, MeSH labels out."""

from typing import Any

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.predictors.json_lines import JsonLinePredictor, PredictionInputError
from multitask.predictors.length_batches import predict_in_length_order
from multitask.predictors.task_reader import task_reader
from tasks.mesh_indexing.reader import TASK as MESH_TASK

__all__ = ["MeshIndexerPredictor", "PredictionInputError"]


@Predictor.register("mesh_indexer")
class MeshIndexerPredictor(JsonLinePredictor):
    """Input lines ``{"pmid", "title", "abstractText"}``; output ``{"pmid", "labels"}`` with
    labels as ``{"ui", "name"}`` (plus ``invalid_labels``, texts that name no descriptor, if
    any). A bad line stops the run with its line number.
    """

    required_fields = ("pmid", "title", "abstractText")
    # rows per forward pass: a larger `allennlp predict --batch-size` (say 256) is cut into
    # batches of this size by abstract length, which saves the padding
    model_batch_size = 32

    def predict_batch_instance(self, instances: list[Instance]) -> list[JsonDict]:
        return predict_in_length_order(
            instances, super().predict_batch_instance, self.model_batch_size
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
