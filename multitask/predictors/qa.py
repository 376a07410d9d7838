"""`allennlp predict ... --predictor multitask_qa`: any task, ``{"task", "context", "question"}``
in, ``{"task", "answer"}`` out.
"""

from typing import Any

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.predictors.json_lines import JsonLinePredictor
from multitask.predictors.task_reader import task_reader
from multitask.qa.example import QAExample


@Predictor.register("multitask_qa")
class MultiTaskQAPredictor(JsonLinePredictor):
    """Answers a question about a context for the named task, with that task's decoding
    (constraints and post-processing: MeSH answers come back as labels with UIs).
    """

    required_fields = ("task", "context", "question")

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        task = json_dict["task"]
        example = QAExample(task=task, question=json_dict["question"], context=json_dict["context"])
        return task_reader(self._dataset_reader, task).example_to_instance(example)

    def format_output(self, inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        return {"task": inputs["task"], "answer": outputs["answer"]}
