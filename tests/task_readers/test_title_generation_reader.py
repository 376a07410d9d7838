"""Title generation: every corpus format, articles without headings kept, titles cleaned."""

import pytest
from paths import FIXTURES, PROJECT_ROOT
from task_helpers import read_metadata

from tasks.pubmed.split import split_of
from tasks.title_generation import QUESTION, TitleGenerationReader, clean_title

CORPUS = FIXTURES / "corpus"


@pytest.mark.parametrize(
    "title, cleaned",
    [
        ("[Cancer in Norway].", "Cancer in Norway."),
        ("[Ein Titel]", "Ein Titel"),
        ("  Two\n lines. ", "Two lines."),
        ("Brackets [inside] stay.", "Brackets [inside] stay."),
        ("[].", "."),
    ],
)
def test_clean_title(title, cleaned):
    assert clean_title(title) == cleaned


def test_medline_xml_keeps_articles_without_headings_and_skips_those_without_abstract():
    reader = TitleGenerationReader()
    examples = read_metadata(reader, CORPUS / "medline_sample.xml")
    titles = [m["answer"] for m in examples]
    assert "Not indexed yet." in titles  # no MeSH headings: kept for this task
    assert "An empty heading list." in titles
    assert "A letter without an abstract." not in titles
    assert reader.last_stats.skipped.get("no_abstract", 0) >= 1
    first = examples[0]
    assert first["task"] == "title_generation"
    assert first["question"] == QUESTION
    assert first["gold"] == first["answer"]
    assert first["pmid"]


@pytest.mark.parametrize("name", ["articles.jsonl", "sample.nbib", "bioasq_sample.json"])
def test_other_corpus_formats(name):
    examples = read_metadata(TitleGenerationReader(), CORPUS / name)
    assert examples and all(m["answer"] and m["context_tokens"] for m in examples)


def test_prediction_instance_has_no_answer_unless_given_a_title():
    reader = TitleGenerationReader()
    bare = reader.text_to_instance(abstractText="We studied  mice.")
    assert "answer" not in bare.fields
    scored = reader.text_to_instance(abstractText="We studied mice.", title="[Mice].", pmid="1")
    assert scored["metadata"].metadata["gold"] == "Mice."


def test_held_out_part_is_by_pmid_and_disjoint(tmp_path):
    path = CORPUS / "bioasq_sample.json"
    train = read_metadata(TitleGenerationReader(split_part="train", held_out_percent=50), path)
    held = read_metadata(TitleGenerationReader(split_part="held_out", held_out_percent=50), path)
    everything = read_metadata(TitleGenerationReader(), path)
    assert {m["pmid"] for m in train} | {m["pmid"] for m in held} == {m["pmid"] for m in everything}
    assert not {m["pmid"] for m in train} & {m["pmid"] for m in held}


def test_default_corpus_all_split_follows_the_pmid_buckets():
    path = PROJECT_ROOT / "data" / "corpus" / "all" / "validation.json"
    if not path.exists():
        pytest.skip(f"{path} not built: run `make install` (allennlp prepare-corpus)")
    reader = TitleGenerationReader()
    pmids = [m["pmid"] for m in read_metadata(reader, path)[:300]]
    assert pmids and all(split_of(pmid) == "validation" for pmid in pmids)
