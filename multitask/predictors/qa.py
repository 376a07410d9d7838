"""`allennlp predict ... --predictor multitask_qa`: any task, ``{"task", "context", "question"}``
in, ``{"task", "answer"}`` out.

A task whose reader builds its own question from raw fields (its ``prediction_fields``:
MeSH indexing lists retrieved candidates in the question, title generation asks a fixed
one) takes those fields instead, e.g. ``{"task": "mesh_indexing", "pmid", "title",
"abstractText"}``: the question is then built exactly as in training.
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

    required_fields = ("task",)

    def check_input(self, data: JsonDict) -> str | None:
        problem = super().check_input(data) or string_field_problem(data, "task")
        if problem is not None:
            return problem
        tasks = known_tasks(self._model, self._dataset_reader)
        if tasks and data["task"] not in tasks:
            return f"unknown task {data['task']!r}: this model knows {', '.join(tasks)}"
        fields = self._prediction_fields(data["task"])
        needed = fields or ("context", "question")
        for name in needed:
            if name not in data:
                return f"missing field {name} (task {data['task']} takes {', '.join(needed)})"
            problem = string_field_problem(data, name, allow_null=bool(fields))
            if problem is not None:
                return problem
        return None

    def predict_batch_instance(self, instances: list[Instance]) -> list[JsonDict]:
        """A batch of mixed tasks runs as one model batch per task (their instances carry
        different fields, and each task decodes its own way); answers keep the input order."""
        by_task: dict[str, list[int]] = {}
        for index, instance in enumerate(instances):
            by_task.setdefault(instance["task"].metadata, []).append(index)
        outputs: list[JsonDict] = [{} for _ in instances]
        for indices in by_task.values():
            answers = super().predict_batch_instance([instances[i] for i in indices])
            for index, answer in zip(indices, answers):
                outputs[index] = answer
        return outputs

    def _prediction_fields(self, task: str) -> tuple[str, ...]:
        return tuple(getattr(task_reader(self._dataset_reader, task), "prediction_fields", ()))

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        task = json_dict["task"]
        reader = task_reader(self._dataset_reader, task)
        fields = self._prediction_fields(task)
        if fields:
            return reader.text_to_instance(**{name: json_dict[name] or "" for name in fields})
        example = QAExample(task=task, question=json_dict["question"], context=json_dict["context"])
        return reader.example_to_instance(example)

    def format_output(self, inputs: JsonDict, outputs: dict[str, Any]) -> JsonDict:
        return {"task": inputs["task"], "answer": outputs["answer"]}
