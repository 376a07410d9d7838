"""`allennlp predict ... --predictor mesh_indexer`: BioASQ test-set lines in, MeSH labels out."""

from typing import Any, Optional

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.decoding.label_selection import MODES
from multitask.errors import UserInputError
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

    def __init__(
        self,
        model: Any,
        dataset_reader: Any,
        frozen: bool = True,
        selection: Optional[dict[str, Any]] = None,
    ) -> None:
        """``selection`` (``--predictor-args '{"selection": {"mode": "scores"}}'``) forces
        the label selection the archive tuned on validation: ``mode`` (decoder, scores or
        fused), ``keep_threshold``, ``add_threshold``; what is not given stays as tuned.
        ``scores`` skips the decoder: the fast path."""
        super().__init__(model, dataset_reader, frozen)
        if selection:
            force_selection(model, selection)

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


def force_selection(model: Any, values: dict[str, Any]) -> None:
    """Set the MeSH task's label selection from ``values`` (what the user forces at
    prediction time), checked: a clear error, never a silently ignored key."""
    unknown = set(values) - {"mode", "keep_threshold", "add_threshold"}
    if unknown:
        raise UserInputError(
            f"selection: unknown keys {sorted(unknown)}; give mode, keep_threshold, add_threshold"
        )
    spec = getattr(model, "tasks", {}).get(MESH_TASK)
    selection = spec.decoding.selection if spec is not None else None
    if selection is None:
        raise UserInputError("selection: this archive's MeSH task has no label selection")
    mode, keep, add = selection.settings()
    mode = values.get("mode", mode)
    if mode not in MODES:
        raise UserInputError(f"selection mode must be one of {MODES}, got {mode!r}")
    try:
        keep = float(values.get("keep_threshold", keep))
        add = float(values.get("add_threshold", add))
    except (TypeError, ValueError):
        raise UserInputError("selection thresholds must be numbers") from None
    if not (0.0 <= keep <= 1.0 and 0.0 <= add <= 1.0):
        raise UserInputError(f"selection thresholds must be in 0-1, got {keep}, {add}")
    selection.set_values(mode, keep, add)
