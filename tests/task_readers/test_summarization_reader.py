"""The CNN/DailyMail reader on hand-written stories and jsonl, and on the real stories."""

import pytest
from shared_data import SHARED_DATA, needs_shared_data
from task_helpers import TASK_FIXTURES, read_metadata

from multitask.data.errors import CorpusFormatError
from tasks.summarization import CnnDailyMailReader, parse_story

STORIES = TASK_FIXTURES / "stories"


def test_story_directory():
    reader = CnnDailyMailReader()
    examples = read_metadata(reader, STORIES)
    assert [m["id"] for m in examples] == ["story_a", "story_b"]
    first = examples[0]
    assert first["task"] == "cnn_dailymail"
    assert first["question"] == "What is the summary?"
    # a missing final period is added; "!" already ends a sentence
    assert first["answer"] == "Council votes for a new bridge . Work starts next spring!"
    assert first["gold"] == first["answer"]
    assert " ".join(first["context_tokens"]).endswith("work will start next spring .")
    assert "highlight" not in first["context_tokens"]
    assert reader.last_stats.kept == 2


def test_single_story_file():
    examples = read_metadata(CnnDailyMailReader(), STORIES / "story_b.story")
    assert [m["answer"] for m in examples] == ["Museum reopens after repairs ."]


def test_stories_without_article_or_highlights_are_skipped(tmp_path):
    (tmp_path / "ok.story").write_text("Some news.\n\n@highlight\n\nNews happened\n")
    (tmp_path / "no_summary.story").write_text("Some news without highlights.\n")
    (tmp_path / "no_article.story").write_text("@highlight\n\nOnly a summary\n")
    reader = CnnDailyMailReader()
    assert [m["id"] for m in read_metadata(reader, tmp_path)] == ["ok"]
    assert reader.last_stats.read == 3
    assert reader.last_stats.skipped == {"no highlights": 1, "empty article": 1}


def test_jsonl_with_string_or_list_highlights():
    reader = CnnDailyMailReader(task_name="cnn_dm")
    examples = read_metadata(reader, TASK_FIXTURES / "summaries.jsonl")
    assert [m["id"] for m in examples] == ["s1", "summaries:2"]
    assert examples[0]["answer"] == "Team wins the cup . Fans celebrate ."
    assert examples[1]["answer"] == "Storm hits coast."
    assert examples[0]["task"] == "cnn_dm"
    assert reader.last_stats.skipped == {"empty article": 1, "no highlights": 1}


def test_parse_story_keeps_article_lines_after_highlights_out_of_summary():
    article, highlights = parse_story("A.\n\n@highlight\n\nH one\n\n@highlight\nH two\n")
    assert article == ["A."]
    assert highlights == ["H one", "H two"]


def test_bad_jsonl_and_missing_paths_name_the_place(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": "x", "highlights": "y"}\n{"article": 3, "highlights": "y"}\n')
    with pytest.raises(CorpusFormatError, match=r"bad\.jsonl, line 2: field 'article'"):
        list(CnnDailyMailReader().read(str(bad)))
    with pytest.raises(CorpusFormatError, match=r"missing\.story, open: no such file"):
        list(CnnDailyMailReader().read(str(tmp_path / "missing.story")))


def test_empty_directory(tmp_path):
    with pytest.raises(CorpusFormatError, match="no .story files"):
        list(CnnDailyMailReader().read(str(tmp_path)))


def test_text_to_instance():
    instance = CnnDailyMailReader().text_to_instance("Something happened today.", id="n1")
    assert "answer" not in instance.fields
    assert instance["metadata"].metadata["id"] == "n1"


@needs_shared_data("cnn_dm/stories")
def test_real_stories():
    files = sorted((SHARED_DATA / "cnn_dm/stories").glob("*.story"))
    with_highlights = [f for f in files if "\n@highlight" in "\n" + f.read_text()]
    reader = CnnDailyMailReader()
    examples = read_metadata(reader, SHARED_DATA / "cnn_dm/stories")
    assert len(examples) == len(with_highlights) >= 19
    assert reader.last_stats.read == len(files)
    assert all(m["answer"] and m["context_tokens"] for m in examples)
    assert examples[0]["answer"].startswith("President Bush to address the Veterans")
