"""The NLI reader on SNLI and premise/hypothesis/label lines, and on the real shared files."""

import json

import pytest
from shared_data import SHARED_DATA, needs_shared_data
from task_helpers import TASK_FIXTURES, read_metadata

from multitask.data.errors import CorpusFormatError
from tasks.nli import NLIReader

QUESTION_END = " -- entailment, neutral, or contradiction?"
NO_LABEL = "no gold label ('-', -1 or missing)"


def test_snli_layout_skips_dash_rows():
    reader = NLIReader()
    examples = read_metadata(reader, TASK_FIXTURES / "snli.jsonl")
    assert [m["id"] for m in examples] == ["p1", "p3"]
    first = examples[0]
    assert first["task"] == "nli"
    assert first["question"] == "Hypothesis: A man plays music ." + QUESTION_END
    assert first["context_tokens"][:3] == ["premise", ":", "a"]
    assert first["answer"] == first["gold"] == "entailment"
    assert examples[1]["answer"] == "contradiction"
    assert reader.last_stats.read == 3  # the blank line is not a record
    assert reader.last_stats.skipped == {NO_LABEL: 1}


def test_premise_hypothesis_label_layout_with_int_labels():
    reader = NLIReader(task_name="mnli")
    examples = read_metadata(reader, TASK_FIXTURES / "mnli_hf.jsonl")
    # 0/1/2 = entailment/neutral/contradiction; -1 skipped; words are case-insensitive
    assert [m["answer"] for m in examples] == [
        "neutral",
        "entailment",
        "contradiction",
        "entailment",
    ]
    assert [m["id"] for m in examples] == ["0", "1", "2", "4"]
    assert examples[0]["question"] == "Hypothesis: Everyone likes the new rules." + QUESTION_END
    assert examples[3]["genre"] == "fiction"
    assert {m["task"] for m in examples} == {"mnli"}
    assert reader.last_stats.skipped == {NO_LABEL: 1}


def test_answer_is_copyable_from_the_question():
    instance = next(iter(NLIReader().read(str(TASK_FIXTURES / "snli.jsonl"))))
    question = [t.text for t in instance["question"].tokens]
    assert "entailment" in question
    answer_ids = instance["answer_source_ids"].tensor.tolist()
    assert answer_ids[1] > 0  # the label word has a source id: it can be copied


def test_malformed_line_names_file_and_line():
    with pytest.raises(CorpusFormatError, match=r"nli_malformed\.jsonl, line 2: malformed JSON"):
        list(NLIReader().read(str(TASK_FIXTURES / "nli_malformed.jsonl")))


@pytest.mark.parametrize(
    "record, message",
    [
        ({"premise": "a", "hypothesis": "b", "label": "maybe"}, "unknown label 'maybe'"),
        ({"premise": "a", "hypothesis": "b", "label": 7}, "unknown label 7"),
        ({"premise": "a", "label": "neutral"}, "missing field 'hypothesis'"),
        ({"text": "a", "label": "neutral"}, "not an NLI record"),
    ],
)
def test_bad_records_name_the_line(tmp_path, record, message):
    path = tmp_path / "bad.jsonl"
    good = {"sentence1": "a", "sentence2": "b", "gold_label": "neutral"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(record) + "\n")
    with pytest.raises(CorpusFormatError, match=rf"bad\.jsonl, line 2: {message}"):
        list(NLIReader().read(str(path)))


def test_text_to_instance():
    instance = NLIReader().text_to_instance("A dog runs.", "An animal moves.")
    metadata = instance["metadata"].metadata
    assert "answer" not in instance.fields
    assert metadata["question"] == "Hypothesis: An animal moves." + QUESTION_END
    assert NLIReader().text_to_instance("a", "b", label=2)["metadata"].metadata["gold"] == (
        "contradiction"
    )


@needs_shared_data("nli/snli_1.0_dev.jsonl")
def test_real_snli_dev():
    path = SHARED_DATA / "nli/snli_1.0_dev.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    dashes = sum(row["gold_label"] == "-" for row in rows)
    reader = NLIReader()
    examples = read_metadata(reader, path)
    assert len(examples) == len(rows) - dashes
    assert reader.last_stats.read == len(rows)
    assert reader.last_stats.total_skipped == dashes
    assert {m["answer"] for m in examples} == {"entailment", "neutral", "contradiction"}


@needs_shared_data(
    "nli/mnli_tiny_dev.jsonl",
    "nli/mnli_tiny_train.jsonl",
    "nli/multinli_1.0_tiny_train.jsonl",
    "nli/snli_1.0_tiny_raw.jsonl",
)
@pytest.mark.parametrize(
    "name",
    [
        "mnli_tiny_dev.jsonl",
        "mnli_tiny_train.jsonl",
        "multinli_1.0_tiny_train.jsonl",
        "snli_1.0_tiny_raw.jsonl",
    ],
)
def test_real_tiny_nli_files(name):
    path = SHARED_DATA / "nli" / name
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    examples = read_metadata(NLIReader(), path)
    assert len(examples) == len(rows)
    labels = [row.get("gold_label", row.get("label")) for row in rows]
    assert [m["gold"] for m in examples] == labels
