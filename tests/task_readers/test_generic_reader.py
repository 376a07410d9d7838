"""The decaNLP-style custom task reader: {context, question, answer} lines."""

import pytest
from task_helpers import TASK_FIXTURES, read_metadata

from multitask.data.errors import CorpusFormatError
from tasks.generic import DecaNLPJsonlReader


def test_reads_records_and_keeps_extra_fields():
    reader = DecaNLPJsonlReader(task_name="colors")
    examples = read_metadata(reader, TASK_FIXTURES / "generic.jsonl")
    assert len(examples) == 2
    first, second = examples
    assert first["task"] == "colors"
    assert first["question"] == "What color was the apple?"
    assert first["context_tokens"] == ["alice", "gave", "bob", "a", "red", "apple", "."]
    assert first["answer"] == first["gold"] == "red"
    assert first["id"] == "g1"
    assert second["source"] == "handmade"
    assert reader.last_stats.kept == 2


def test_answer_is_optional(tmp_path):
    path = tmp_path / "predict.jsonl"
    path.write_text('{"context": "It is sunny.", "question": "Weather?"}\n')
    instance = next(iter(DecaNLPJsonlReader(task_name="t").read(str(path))))
    assert "answer" not in instance.fields
    assert instance["metadata"].metadata["gold"] is None


def test_missing_field_names_file_and_line():
    # line 2 is blank, so the bad record is on line 3
    with pytest.raises(
        CorpusFormatError, match=r"generic_malformed\.jsonl, line 3: missing field 'question'"
    ):
        list(DecaNLPJsonlReader(task_name="t").read(str(TASK_FIXTURES / "generic_malformed.jsonl")))


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"context": "a", "question": "b"\n', "line 1: malformed JSON"),
        ('["context", "question"]\n', "line 1: expected a JSON object, got list"),
        ('{"context": "a", "question": 5}\n', "line 1: field 'question' must be a string"),
        ("\n\n", "line 1: no records"),
    ],
)
def test_malformed_lines(tmp_path, text, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(CorpusFormatError, match=rf"bad\.jsonl, {message}"):
        list(DecaNLPJsonlReader(task_name="t").read(str(path)))


def test_bad_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        b'{"context": "a", "question": "b"}\n{"context": "caf\xe9", "question": "b"}\n'
    )
    with pytest.raises(CorpusFormatError, match=r"latin1\.jsonl, line 2: not UTF-8"):
        list(DecaNLPJsonlReader(task_name="t").read(str(path)))


def test_task_name_is_required():
    with pytest.raises(TypeError):
        DecaNLPJsonlReader()  # type: ignore[call-arg]


def test_from_params_and_text_to_instance():
    from allennlp.common import Params
    from allennlp.data import DatasetReader

    import tasks.generic  # noqa: F401 - registers the reader

    reader = DatasetReader.from_params(
        Params({"type": "decanlp_jsonl", "task_name": "custom", "max_instances": 1})
    )
    instance = reader.text_to_instance("Ada wrote it.", "Who wrote it?", answer="Ada", id="z")
    metadata = instance["metadata"].metadata
    assert (metadata["task"], metadata["gold"], metadata["id"]) == ("custom", "Ada", "z")
    assert len(list(reader.read(str(TASK_FIXTURES / "generic.jsonl")))) == 1
