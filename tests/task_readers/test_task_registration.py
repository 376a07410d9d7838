"""Every task reader builds from a config, as a training config will name it."""

import pytest
from allennlp.common import Params
from allennlp.data import DatasetReader
from task_helpers import TASK_FIXTURES

import tasks.generic  # noqa: F401 - registers the readers
import tasks.nli  # noqa: F401
import tasks.squad  # noqa: F401
import tasks.summarization  # noqa: F401


@pytest.mark.parametrize(
    "params, path, task",
    [
        ({"type": "decanlp_squad"}, "squad2_tiny.json", "squad"),
        ({"type": "decanlp_nli", "task_name": "snli"}, "snli.jsonl", "snli"),
        ({"type": "decanlp_cnn_dailymail"}, "stories", "cnn_dailymail"),
        ({"type": "decanlp_jsonl", "task_name": "mine"}, "generic.jsonl", "mine"),
    ],
)
def test_from_params(params, path, task):
    reader = DatasetReader.from_params(
        Params({**params, "builder": {"max_context_tokens": 5}, "max_instances": 1})
    )
    instances = list(reader.read(str(TASK_FIXTURES / path)))
    assert len(instances) == 1
    assert instances[0]["task"].metadata == task
    assert len(instances[0]["context"].tokens) <= 5
