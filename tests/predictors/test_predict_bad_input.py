"""Bad prediction input is one error naming the real file line, after every line before it
was predicted and written; odd but valid articles get a documented answer."""

import json

import pytest
from allennlp.commands import predict as predict_command
from allennlp.predictors import Predictor

import multitask  # noqa: F401 - installs the checked `allennlp predict` input
from multitask.errors import UserInputError
from multitask.predictors.json_lines import PredictionInputError
from tasks.mesh_indexing.predictor import NO_TEXT_REASON

GOOD = {"pmid": 1, "title": "Calcium in breast cancer", "abstractText": "We measured calcium."}


@pytest.fixture(scope="module")
def mesh_predictor(tiny_archive):
    return Predictor.from_path(tiny_archive, "mesh_indexer")


def line(**fields) -> bytes:
    return (json.dumps({**GOOD, **fields}) + "\n").encode()


def predict_file(predictor, tmp_path, content: bytes, batch_size: int = 1):
    """Run `allennlp predict`'s manager on ``content``; (output rows, error or None)."""
    source, out = tmp_path / "input.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(content)
    manager = predict_command._PredictManager(
        predictor, str(source), str(out), batch_size, False, False
    )
    error = None
    try:
        manager.run()
    except UserInputError as raised:
        error = str(raised)
    rows = [json.loads(row) for row in out.read_text().splitlines()] if out.exists() else []
    return rows, error


@pytest.mark.parametrize("batch_size", [1, 8])
def test_non_utf8_line_keeps_the_lines_before_it(mesh_predictor, tmp_path, batch_size):
    content = line(pmid=1) + line(pmid=2)[:20] + b"\xff\xfe" + line(pmid=2)[20:] + line(pmid=3)
    rows, error = predict_file(mesh_predictor, tmp_path, content, batch_size)
    assert error == "input line 2: not UTF-8 text (byte 0xff at byte 21 of the line)"
    assert [row["pmid"] for row in rows] == ["1"]


def test_a_bad_line_in_a_batch_keeps_the_lines_before_it(mesh_predictor, tmp_path):
    content = line(pmid=1) + line(pmid=2) + line(pmid=3, title=123) + line(pmid=4)
    rows, error = predict_file(mesh_predictor, tmp_path, content, batch_size=8)
    assert error == "input line 3: field title must be a string or null, got the number 123"
    assert [row["pmid"] for row in rows] == ["1", "2"]


def test_blank_lines_count_in_the_reported_line_number(mesh_predictor, tmp_path):
    content = line(pmid=1) + b"\n  \n\t\n" + b'{"pmid": 5, "title": "no abstract"}\n'
    rows, error = predict_file(mesh_predictor, tmp_path, content)
    assert error.startswith("input line 5: missing field(s) abstractText")
    assert [row["pmid"] for row in rows] == ["1"]


def test_a_byte_order_mark_and_blank_lines_are_fine(mesh_predictor, tmp_path):
    rows, error = predict_file(mesh_predictor, tmp_path, b"\xef\xbb\xbf" + line() + b"\n")
    assert error is None and [row["pmid"] for row in rows] == ["1"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": 123}, "field title must be a string or null, got the number 123"),
        ({"abstractText": ["a"]}, "field abstractText must be a string or null, got a list"),
        ({"pmid": None}, "field pmid must be a string or an integer, got null"),
        ({"pmid": " "}, "field pmid must be a string or an integer, got an empty string"),
        ({"pmid": True}, "field pmid must be a string or an integer, got true"),
    ],
)
def test_wrong_field_types_are_named(mesh_predictor, tmp_path, fields, message):
    rows, error = predict_file(mesh_predictor, tmp_path, line(**fields))
    assert error == f"input line 1: {message}"
    assert rows == []


def test_wrong_types_are_refused_by_the_python_api_too(mesh_predictor):
    with pytest.raises(PredictionInputError, match="input: field title must be a string"):
        mesh_predictor.predict_json({**GOOD, "title": 123})


def test_null_title_counts_as_empty(mesh_predictor, tmp_path):
    rows, error = predict_file(mesh_predictor, tmp_path, line(title=None))
    assert error is None and rows[0]["labels"]


def test_empty_text_gets_no_labels_and_a_reason_in_order(mesh_predictor, tmp_path):
    content = line(pmid=1) + line(pmid=2, title="", abstractText=" ") + line(pmid=3)
    rows, error = predict_file(mesh_predictor, tmp_path, content, batch_size=8)
    assert error is None
    assert [row["pmid"] for row in rows] == ["1", "2", "3"]
    assert rows[1] == {"pmid": "2", "labels": [], "reason": NO_TEXT_REASON}
    assert rows[0]["labels"] and rows[2]["labels"] and "reason" not in rows[0]


def test_a_missing_input_file_is_one_line(mesh_predictor, tmp_path):
    manager = predict_command._PredictManager(
        mesh_predictor, str(tmp_path / "nope.jsonl"), None, 1, False, False
    )
    with pytest.raises(UserInputError, match=r"input file .*nope.jsonl not found"):
        manager.run()


def test_multitask_qa_refuses_a_task_the_archive_does_not_know(tiny_archive, tmp_path):
    predictor = Predictor.from_path(tiny_archive, "multitask_qa")
    article = {"pmid": "7", "title": "Breast carcinoma", "abstractText": "Women were studied."}
    question = {"context": "Premise: a man plays.", "question": "Hypothesis: music?"}
    content = (
        json.dumps({"task": "mesh_indexing", **article})
        + "\n"
        + json.dumps({"task": "nli", **question})
        + "\n"
    ).encode()
    rows, error = predict_file(predictor, tmp_path, content)
    assert error == "input line 2: unknown task 'nli': this model knows mesh_indexing"
    assert [row["task"] for row in rows] == ["mesh_indexing"]


def test_multitask_qa_names_the_fields_a_task_needs(tiny_archive, tmp_path):
    predictor = Predictor.from_path(tiny_archive, "multitask_qa")
    question = {"context": "Breast carcinoma in women.", "question": "Which headings?"}
    content = (json.dumps({"task": "mesh_indexing", **question}) + "\n").encode()
    rows, error = predict_file(predictor, tmp_path, content)
    assert error == (
        "input line 1: missing field pmid (task mesh_indexing takes pmid, title, abstractText)"
    )
    assert rows == []
