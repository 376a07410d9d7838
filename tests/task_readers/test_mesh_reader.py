"""The MeSH reader: answer orders, the max_labels cut, unknown labels, candidates in the
question, and out-of-fold candidates for the training articles."""

import json
import logging

import pytest
from paths import MESH_MINI

from multitask.qa.instance_builder import QAInstanceBuilder
from tasks.mesh_indexing import MeshIndexingReader
from tasks.mesh_indexing.candidates import CandidateSource
from tasks.mesh_indexing.suggesters import TfidfKnnSuggester

TOPICS = [
    ("breast tumours of women", ["Breast Neoplasms", "Female"]),
    ("drug use among white men", ["Substance-Related Disorders", "White People", "Male"]),
    ("adenocarcinoma and carcinoma cells", ["Carcinoma", "Adenocarcinoma"]),
]
#: one heading per article that no other article carries
OWN = ["Neoplasms", "Skin Diseases", "Breast", "Persons", "Mental Disorders", "Body Regions"]


def write_corpus(path, articles):
    lines = ",\n".join(json.dumps(a) for a in articles)
    path.write_text('{"articles":[\n' + lines + "\n]}\n")
    return path


def topic_articles():
    articles = []
    for i, own in enumerate(OWN):
        words, headings = TOPICS[i % 3]
        articles.append(
            {
                "pmid": str(7000 + i),
                "title": f"A study of {words}",
                "abstractText": f"We report {words} in cohort {i} with {own.lower()} findings.",
                "meshMajor": [*headings, own],
                "journal": None,
                "year": None,
            }
        )
    return articles


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "train.json", topic_articles())


def reader(corpus, **kwargs):
    return MeshIndexingReader(
        mesh_file=str(MESH_MINI),
        label_frequency_file=str(corpus),
        builder=QAInstanceBuilder(max_answer_tokens=None, max_question_tokens=200),
        **kwargs,
    )


def with_candidates(corpus, tmp_path, **kwargs):
    source = CandidateSource(
        TfidfKnnSuggester(neighbours=3, tfidf={"min_df": 1}),
        str(corpus),
        top_k=6,
        folds=3,
        cache_dir=str(tmp_path / "cache"),
    )
    return reader(corpus, candidates=source, label_order="candidates", **kwargs)


def answers(mesh_reader, path):
    return [i["metadata"].metadata["answer"] for i in mesh_reader.read(str(path))]


def test_frequency_order_puts_frequent_headings_first(corpus):
    first = answers(reader(corpus, label_order="frequency"), corpus)[0]
    # Breast Neoplasms and Female occur twice, the article's own heading once
    assert first.split(" ; ")[-1] == "Neoplasms"


def test_tree_order_follows_tree_numbers_with_untreed_headings_last(corpus):
    first = answers(reader(corpus, label_order="tree"), corpus)[0]
    assert first == "Neoplasms ; Breast Neoplasms ; Female"  # C04 < C04.588; Female: none


def test_given_order_is_the_source_order(corpus):
    assert answers(reader(corpus, label_order="given"), corpus)[0] == (
        "Breast Neoplasms ; Female ; Neoplasms"
    )


def test_max_labels_cuts_the_answer_counts_it_and_keeps_gold(corpus, caplog):
    mesh_reader = reader(corpus, label_order="given", max_labels=2)
    with caplog.at_level(logging.INFO):
        instances = list(mesh_reader.read(str(corpus)))
    meta = instances[1]["metadata"].metadata
    assert meta["answer"] == "Substance-Related Disorders ; White People"
    assert meta["gold"] == {"D019966", "D044465", "D008297", "D012871"}
    assert mesh_reader.truncated_answers == 6
    assert "answers cut to max_labels=2" in caplog.text
    # the label head learns from every heading, not from the cut answer
    assert len(instances[1]["labels"].labels) == 4


def test_unknown_labels_stay_in_gold_but_not_in_the_answer(tmp_path):
    articles = topic_articles()[:1]
    articles[0]["meshMajor"].append("Not A MeSH Heading")
    path = write_corpus(tmp_path / "one.json", articles)
    meta = list(reader(path, label_order="given").read(str(path)))[0]["metadata"].metadata
    assert "unknown:Not A MeSH Heading" in meta["gold"]
    assert "Not A MeSH Heading" not in meta["answer"]


def test_candidates_are_listed_in_the_question_with_spans_labels_and_features(corpus, tmp_path):
    validation = write_corpus(tmp_path / "validation.json", topic_articles()[:1])
    instance = list(with_candidates(corpus, tmp_path).read(str(validation)))[0]
    meta = instance["metadata"].metadata
    question = [t.text for t in instance["question"].tokens]
    assert question[:7] == ["which", "mesh", "headings", "describe", "this", "article", "?"]
    names = {"D001943": "breast neoplasms", "D005260": "female", "D009369": "neoplasms"}
    spans = instance["candidate_spans"].tensor.tolist()
    listed = [field.label for field in instance["candidate_labels"].field_list]
    assert listed == meta["candidates"] and len(listed) <= 6
    for label, (start, end) in zip(listed, spans):
        if label in names:
            assert " ".join(question[start : end + 1]) == names[label]
    for start, _ in spans[1:]:
        assert question[start - 1] == ";"
    assert instance["candidate_features"].tensor.shape == (len(listed), 1)
    # the answer follows the question's order: the pointer moves forward
    answer_uis = [ui for ui in listed if ui in meta["gold"]]
    names_in_answer = meta["answer"].lower().split(" ; ")
    assert names_in_answer[: len(answer_uis)] == [
        " ".join(question[s : e + 1]) for ui, (s, e) in zip(listed, spans) if ui in answer_uis
    ]


def test_training_articles_never_get_their_own_labels_as_candidates(corpus, tmp_path):
    mesh_reader = with_candidates(corpus, tmp_path)
    own_ui = {"D009369", "D012871", "D001940", "D009272", "D001523", "D001829"}
    for instance in mesh_reader.read(str(corpus)):
        meta = instance["metadata"].metadata
        own = (meta["gold"] & own_ui).pop()
        assert own not in meta["candidates"], f"{meta['pmid']} saw its own heading {own}"
    # the same articles in another file: the full retriever has seen them, so their own
    # headings come back (which is why the training file must not use it)
    copies = [{**a, "journal": "elsewhere"} for a in topic_articles()]
    validation = write_corpus(tmp_path / "validation.json", copies)
    returned = 0
    for instance in mesh_reader.read(str(validation)):
        meta = instance["metadata"].metadata
        returned += (meta["gold"] & own_ui).pop() in meta["candidates"]
    assert returned >= 4


def test_candidate_order_needs_candidates(corpus):
    with pytest.raises(ValueError, match="needs a candidates retriever"):
        reader(corpus, label_order="candidates")


def test_prediction_instance_has_candidates_but_no_answer_or_labels(corpus, tmp_path):
    mesh_reader = with_candidates(corpus, tmp_path)
    instance = mesh_reader.text_to_instance("1", "Breast tumours", "in women", None)
    assert "answer" not in instance.fields and "labels" not in instance.fields
    assert instance["metadata"].metadata["candidates"]


def test_match_features_and_a_leave_one_out_prior(corpus, tmp_path):
    mesh_reader = with_candidates(corpus, tmp_path, match_features=True)
    train = {i["metadata"].metadata["pmid"]: i for i in mesh_reader.read(str(corpus))}
    # the same articles in another file (content differs, so it is not the training file)
    copies = [{**a, "journal": "elsewhere"} for a in topic_articles()]
    validation = write_corpus(tmp_path / "validation.json", copies)
    held = {i["metadata"].metadata["pmid"]: i for i in mesh_reader.read(str(validation))}
    for pmid, instance in train.items():
        features = instance["candidate_features"].tensor
        assert features.shape[1] == 1 + 4  # the kNN score, then the match features
        listed = [f.label for f in instance["candidate_labels"].field_list]
        gold = instance["metadata"].metadata["gold"]
        held_listed = [f.label for f in held[pmid]["candidate_labels"].field_list]
        held_features = held[pmid]["candidate_features"].tensor
        for row, label in enumerate(listed):
            if label in gold and label in held_listed:
                # a training article does not count itself in its labels' frequency
                assert features[row, 1] < held_features[held_listed.index(label), 1]
    first = train["7000"]
    names = [f.label for f in first["candidate_labels"].field_list]
    row = names.index("D001943")  # "Breast Neoplasms": both words in the text, not the phrase
    assert first["candidate_features"].tensor[row, 2:].tolist() == [0.0, 0.0, 1.0]
