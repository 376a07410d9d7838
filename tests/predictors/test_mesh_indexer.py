import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allennlp.predictors import Predictor
from paths import MQAN_FIXTURES, PROJECT_ROOT

from multitask.predictors.json_lines import PredictionInputError

MINI_UIS = {
    line.split("\t")[0]
    for line in (PROJECT_ROOT / "tests/fixtures/mesh/mesh_mini.tsv").read_text().splitlines()[1:]
}


@pytest.fixture(scope="module")
def predictor(tiny_archive):
    return Predictor.from_path(tiny_archive, "mesh_indexer")


def test_model_default_predictor_is_the_generic_one(tiny_archive):
    # the framework names no task: MeSH users ask for --predictor mesh_indexer
    assert type(Predictor.from_path(tiny_archive)).__name__ == "MultiTaskQAPredictor"


def test_output_is_pmid_and_labels_with_ui_and_name(predictor):
    line = (MQAN_FIXTURES / "predict_input.jsonl").read_text().splitlines()[0]
    output = predictor.predict_json(predictor.load_line(line))
    assert output["pmid"] == "9000001"
    assert output["labels"], "constrained decoding always names at least one heading"
    for label in output["labels"]:
        # with a label head, each label also carries its probability
        assert set(label) == {"ui", "name", "score"}
        assert label["ui"] in MINI_UIS
        assert 0.0 <= label["score"] <= 1.0


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("{not json", "input line 1: not JSON"),
        ('["a list"]', "input line 1: expected a JSON object"),
        ('{"pmid": 1, "title": "x"}', "input line 1: missing field(s) abstractText"),
    ],
)
def test_bad_lines_name_their_line_number(tiny_archive, bad_line, message):
    predictor = Predictor.from_path(tiny_archive, "mesh_indexer")
    with pytest.raises(PredictionInputError) as error:
        predictor.load_line(bad_line)
    assert message in str(error.value)


def test_cli_reports_a_bad_line_by_number_without_a_traceback(tiny_archive, tmp_path):
    good = (MQAN_FIXTURES / "predict_input.jsonl").read_text().splitlines()
    bad_file = tmp_path / "input.jsonl"
    bad_file.write_text("\n".join([good[0], good[1], "", '{"pmid": 3, "title": "x"}']) + "\n")
    allennlp = str(Path(sys.executable).with_name("allennlp"))
    result = subprocess.run(
        [
            allennlp,
            "predict",
            str(tiny_archive),
            str(bad_file),
            "--predictor",
            "mesh_indexer",
            "--output-file",
            str(tmp_path / "out.jsonl"),
            "--silent",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "error: input line 4: missing field(s) abstractText" in result.stderr
    assert "Traceback" not in result.stderr
    written = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(row)["pmid"] for row in written] == ["9000001", "9000002"]


def test_cli_predict_writes_one_line_per_input(tiny_archive, tmp_path):
    allennlp = str(Path(sys.executable).with_name("allennlp"))
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [
            allennlp,
            "predict",
            str(tiny_archive),
            str(MQAN_FIXTURES / "predict_input.jsonl"),
            "--predictor",
            "mesh_indexer",
            "--output-file",
            str(out),
            "--silent",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["pmid"] for row in rows] == ["9000001", "9000002", "9000003"]


def test_a_user_forces_the_label_selection_at_prediction_time(tiny_archive, tmp_path):
    """`--predictor-args '{"selection": {...}}'` overrides what the archive tuned; `scores`
    takes the head's labels over add_threshold and skips the decoder."""
    from multitask.errors import UserInputError

    line = (MQAN_FIXTURES / "predict_input.jsonl").read_text().splitlines()[0]
    forced = Predictor.from_path(
        tiny_archive, "mesh_indexer", selection={"mode": "scores", "add_threshold": 0.0}
    )
    selection = forced._model.tasks["mesh_indexing"].decoding.selection
    assert selection.mode == "scores" and selection.add_threshold == 0.0
    everything = forced.predict_json(forced.load_line(line))["labels"]
    strict = Predictor.from_path(
        tiny_archive, "mesh_indexer", selection={"mode": "scores", "add_threshold": 1.0}
    )
    # at threshold 1 only the best label is kept (a selection never answers nothing)
    assert len(strict.predict_json(strict.load_line(line))["labels"]) == 1 < len(everything)
    for bad, message in [
        ({"mode": "beam"}, "selection mode must be one of"),
        ({"threshold": 0.2}, "unknown keys ['threshold']"),
        ({"add_threshold": 2}, "must be in 0-1"),
    ]:
        with pytest.raises(UserInputError, match=re.escape(message)):
            Predictor.from_path(tiny_archive, "mesh_indexer", selection=bad)
