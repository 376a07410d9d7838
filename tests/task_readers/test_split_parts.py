"""split_part: one file read as a training part and a held-out part that share no context."""

import pytest
from shared_data import SHARED_DATA, needs_shared_data
from task_helpers import TASK_FIXTURES, read_metadata

from tasks.nli import NLIReader
from tasks.squad import SquadReader


def parts(reader_class, path, percent):
    train = read_metadata(reader_class(split_part="train", held_out_percent=percent), path)
    held = read_metadata(reader_class(split_part="held_out", held_out_percent=percent), path)
    return train, held


def contexts(examples):
    return {" ".join(m["context_tokens"]) for m in examples}


@pytest.mark.parametrize(
    "reader_class, name", [(NLIReader, "snli.jsonl"), (SquadReader, "squad2_tiny.json")]
)
def test_parts_cover_the_file_without_sharing_a_context(reader_class, name):
    path = TASK_FIXTURES / name
    everything = read_metadata(reader_class(), path)
    for percent in (1, 50, 99):
        train, held = parts(reader_class, path, percent)
        assert len(train) + len(held) == len(everything)
        assert not contexts(train) & contexts(held)
        assert parts(reader_class, path, percent) == (train, held)  # deterministic


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="split_part"):
        NLIReader(split_part="test")
    with pytest.raises(ValueError, match="held_out_percent"):
        NLIReader(split_part="train", held_out_percent=0)


@needs_shared_data("nli/snli_1.0_dev.jsonl")
def test_snli_dev_copy_splits_about_one_in_five_premises():
    train, held = parts(NLIReader, SHARED_DATA / "nli" / "snli_1.0_dev.jsonl", 20)
    share = len(held) / (len(train) + len(held))
    assert 0.15 < share < 0.25, share
    assert not contexts(train) & contexts(held)


@needs_shared_data("squad/squad2_dev_small.json")
def test_squad_dev_copy_keeps_each_paragraphs_questions_together():
    train, held = parts(SquadReader, SHARED_DATA / "squad" / "squad2_dev_small.json", 20)
    assert train and held
    assert not contexts(train) & contexts(held)
