"""Abstract continuation (domain LM pre-training as QA): where abstracts are cut, what is
skipped, and that the pairs rebuild the abstract."""

import pytest
from paths import FIXTURES, PROJECT_ROOT
from task_helpers import read_metadata

from tasks.continuation import QUESTION, AbstractContinuationReader, cut_point

ALL_VALIDATION = PROJECT_ROOT / "data" / "corpus" / "all" / "validation.json"


def test_cut_point_is_fixed_by_the_key_and_inside_the_range():
    cuts = {cut_point(str(pmid), 100, 0.3, 0.7) for pmid in range(200)}
    assert min(cuts) >= 30 and max(cuts) < 70
    assert len(cuts) > 20  # spread over the range, not one place
    assert cut_point("12345", 100, 0.3, 0.7) == cut_point("12345", 100, 0.3, 0.7)


@pytest.mark.parametrize("bad", [(0.0, 0.5), (0.6, 0.5), (0.3, 1.0)])
def test_bad_cut_ranges_are_refused(bad):
    with pytest.raises(ValueError, match="cut_range"):
        AbstractContinuationReader(cut_range=bad)


def test_short_abstracts_are_skipped_and_counted():
    reader = AbstractContinuationReader(min_words=25)
    examples = read_metadata(reader, FIXTURES / "corpus" / "medline_sample.xml")
    skipped = reader.last_stats.skipped.get("shorter_than_min_words", 0)
    assert skipped >= 1
    assert reader.last_stats.kept == len(examples)


def test_prediction_instance_needs_a_long_enough_abstract():
    reader = AbstractContinuationReader(min_words=5, answer_words=3)
    instance = reader.text_to_instance(abstractText="one two three four five six seven", pmid="7")
    assert instance["metadata"].metadata["question"] == QUESTION
    with pytest.raises(ValueError, match="min_words=5"):
        reader.text_to_instance(abstractText="too short")


@pytest.mark.skipif(not ALL_VALIDATION.exists(), reason="default corpus not built: make install")
def test_real_abstracts_are_continued_where_they_were_cut():
    reader = AbstractContinuationReader(answer_words=30, max_instances=50)
    examples = read_metadata(reader, ALL_VALIDATION)
    assert len(examples) == 50
    for example in examples:
        answer = example["answer"]
        assert answer and len(answer.split()) <= 30
        assert example["gold"] == answer and example["pmid"]
        assert example["task"] == "language_model"
    # the same file gives the same pairs on a second read (cuts are fixed by PMID)
    again = read_metadata(
        AbstractContinuationReader(answer_words=30, max_instances=50), ALL_VALIDATION
    )
    assert [e["answer"] for e in again] == [e["answer"] for e in examples]


def test_context_and_answer_are_the_abstract_split_at_the_cut():
    words = [f"w{i}" for i in range(60)]
    reader = AbstractContinuationReader(answer_words=10, min_words=40)
    example = reader.make_example(" ".join(words), "A title.", "4242")
    cut = cut_point("4242", 60, 0.3, 0.7)
    assert example.context == "A title. " + " ".join(words[:cut])
    assert example.answer == " ".join(words[cut : cut + 10])
    assert reader.make_example(" ".join(words[:39]), "A title.", "1") is None
