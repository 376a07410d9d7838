"""`allennlp predict ... --predictor multitask_qa`: any task, ``{"task", "context", "question"}``
in, ``{"task", "answer"}`` out.
"""

from typing import Any

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors import Predictor

from multitask.predictors.json_lines import JsonLinePredictor, string_field_problem
from multitask.predictors.task_reader import known_tasks, task_reader
from multitask.qa.example import QAExample


@Predictor.register("multitask_qa")
class MultiTaskQAPredictor(JsonLinePredictor):
    """Answers a question about a context for the named task, with that task's decoding
    (constraints and post-processing: MeSH answers come back as labels with UIs). A task the
    archive was not trained on is an error naming the tasks it knows.
    """

    required_fields = ("task", "context", "question")

    def check_input(self, data: JsonDict) -> str | None:
        problem = super().check_input(data)
        for name in self.required_fields:
            problem = problem or string_field_problem(data, name)
        if problem is not None:
            return problem
        tasks = known_tasks(self._model, self._dataset_reader)
        if tasks and data["task"] not in tasks:
            return f"unknown task {data['task']!r}: this model knows {', '.join(tasks)}"
        return None

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        task = json_dict["task"]
        example = QAExample(task=task, question=json_dict["question"], context=json_dict["context"])
        return task_reader(self._dataset_reader, task).example_to_instance(example)

    def format_output(self, inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        return {"task": inputs["task"], "answer": outputs["answer"]}
