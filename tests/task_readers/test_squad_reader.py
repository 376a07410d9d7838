"""The SQuAD reader on a hand-written SQuAD 2.0 file and on the real shared samples."""

import json

import pytest
from shared_data import SHARED_DATA, needs_shared_data
from task_helpers import TASK_FIXTURES, read_metadata

from multitask.data.errors import CorpusFormatError
from multitask.qa.instance_builder import QAInstanceBuilder
from tasks.squad import SquadReader


def test_reads_questions_answers_and_unanswerable():
    reader = SquadReader()
    examples = read_metadata(reader, TASK_FIXTURES / "squad2_tiny.json")
    assert [m["id"] for m in examples] == ["q1", "q2", "q3"]
    first = examples[0]
    assert first["task"] == "squad"
    assert first["question"] == "When was the Eiffel Tower built?"
    assert first["context_tokens"][:3] == ["the", "eiffel", "tower"]
    assert first["answer"] == "1889"  # the first answer is the training answer
    assert first["gold"] == ["1889", "in 1889"]  # every answer is gold
    assert examples[2]["answer"] == "unanswerable"
    assert examples[2]["gold"] == ["unanswerable"]
    # q4 has no answers and is not marked impossible: skipped, counted
    assert reader.last_stats.read == 4
    assert reader.last_stats.kept == 3
    assert reader.last_stats.skipped == {"no answers and not is_impossible": 1}


def test_instances_have_answer_fields_and_task_name():
    reader = SquadReader(task_name="squad2")
    instance = next(iter(reader.read(str(TASK_FIXTURES / "squad2_tiny.json"))))
    assert instance["task"].metadata == "squad2"
    answer = [t.text for t in instance["answer"].tokens]
    assert answer == ["@start@", "1889", "@end@"]


def test_counts_answers_beyond_max_context_tokens():
    # "the eiffel tower was built in 1889" is 7 tokens; "... it is made of iron" is 15
    reader = SquadReader(builder=QAInstanceBuilder(max_context_tokens=10))
    assert len(read_metadata(reader, TASK_FIXTURES / "squad2_tiny.json")) == 3  # all kept
    assert reader.answers_beyond_context == 1
    assert reader.answers_not_found == 0


def test_malformed_json_names_file_and_line():
    with pytest.raises(CorpusFormatError, match=r"squad_malformed\.json, line 4"):
        list(SquadReader().read(str(TASK_FIXTURES / "squad_malformed.json")))


def test_wrong_structure_names_the_record(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"data": [{"paragraphs": [{"context": "x", "qas": [{}]}]}]}))
    with pytest.raises(CorpusFormatError, match=r"data\[0\]\.paragraphs\[0\]\.qas\[0\]"):
        list(SquadReader().read(str(path)))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusFormatError, match="nope.json"):
        list(SquadReader().read(str(tmp_path / "nope.json")))


def test_text_to_instance_has_no_answer():
    instance = SquadReader().text_to_instance("Who?", "Ada wrote it.", id="x1")
    assert "answer" not in instance.fields
    assert instance["metadata"].metadata["id"] == "x1"


@needs_shared_data("squad/squad2_dev_small.json")
def test_real_squad2_sample():
    path = SHARED_DATA / "squad/squad2_dev_small.json"
    questions = [
        qa
        for article in json.loads(path.read_text())["data"]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    impossible = sum(bool(qa.get("is_impossible")) for qa in questions)
    examples = read_metadata(SquadReader(), path)
    assert len(examples) == len(questions) == 626
    assert sum(m["answer"] == "unanswerable" for m in examples) == impossible > 0


@needs_shared_data("squad/squad11_tiny.json")
def test_real_squad11_tiny():
    examples = read_metadata(SquadReader(), SHARED_DATA / "squad/squad11_tiny.json")
    assert len(examples) == 5
    assert examples[0]["answer"] == "Saint Bernadette Soubirous"
    assert all(m["answer"] != "unanswerable" for m in examples)
