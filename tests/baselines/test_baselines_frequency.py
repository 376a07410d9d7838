"""The frequency baseline, the label key and the scoring on hand-made label sets."""

import pytest

from multitask.baselines import FrequencyBaseline, article_labels, article_text, score
from multitask.data.article import Article
from multitask.metrics import example_based_f1, macro_f1, micro_prf

TRAIN = [
    {"Humans", "Female", "Mice"},
    {"Humans", "Female"},
    {"Humans", "Male", "Rats"},
    {"Humans", "Male"},
    {"Humans", "Female", "Male"},
    {"Animals"},
]


def test_ranks_by_training_frequency_with_ties_broken_by_label():
    model = FrequencyBaseline().fit(TRAIN)
    assert model.ranked[:3] == ["Humans", "Female", "Male"]  # 5, 3, 3: tie by name
    assert model.counts["Humans"] == 5
    assert model.top(1) == {"Humans"}
    assert model.top(3) == {"Humans", "Female", "Male"}
    assert model.top(100) == set(model.ranked)  # more than known: all of them
    assert model.predict(2, 2) == [frozenset({"Humans", "Female"})] * 2


def test_duplicate_headings_in_one_article_count_once():
    model = FrequencyBaseline().fit([["A", "A", "A"], ["B"], ["B"]])
    assert model.ranked == ["B", "A"]


def test_negative_k_is_rejected():
    with pytest.raises(ValueError):
        FrequencyBaseline().fit(TRAIN).top(-1)


def test_tune_k_picks_the_k_with_best_micro_f1():
    model = FrequencyBaseline().fit(TRAIN)
    # Validation where every article has the top three headings: k=3 is perfect.
    validation = [{"Humans", "Female", "Male"}] * 4
    assert model.tune_k(validation) == 3
    # Only the top heading is ever right: k=1 wins (extra labels only cost precision).
    assert model.tune_k([{"Humans"}] * 4) == 1
    # The grid restricts the choice.
    assert model.tune_k(validation, ks=[1, 2]) == 2
    with pytest.raises(ValueError):
        model.tune_k(validation, ks=[])


def test_score_uses_the_project_metrics():
    gold = [{"a", "b"}, {"c"}, {"a"}]
    pred = [{"a"}, {"c", "d"}, set()]
    p, r, f = micro_prf(gold, pred)
    scores = score(gold, pred)
    assert (scores.mip, scores.mir, scores.mif) == (p, r, f)
    assert scores.ebf == example_based_f1(gold, pred)
    assert scores.maf == macro_f1(gold, pred)
    assert set(scores.to_json()) == {"mif", "mip", "mir", "ebf", "maf"}


def test_labels_are_uis_where_known_else_names():
    article = Article(
        pmid="1",
        title="T.",
        abstract="A.",
        mesh_uis=["D006801", None],
        mesh_names=["Humans", "Some Old Name"],
    )
    assert article_labels(article) == {"D006801", "Some Old Name"}
    names_only = Article(pmid="2", title="T.", abstract="A.", mesh_names=["Humans"])
    assert article_labels(names_only) == {"Humans"}
    assert article_text(article) == "T.\nA."


def test_missing_omikuji_is_skipped_with_a_message(monkeypatch, caplog):
    from multitask.baselines import runner

    monkeypatch.setattr(runner, "omikuji_available", lambda: False)
    articles = [
        Article(pmid=str(i), title="T", abstract="A", mesh_uis=["D1"], mesh_names=["X"])
        for i in range(3)
    ]
    results = runner.run_baselines(articles, articles, articles, ["frequency", "tfidf_omikuji"])
    assert [r.name for r in results] == ["frequency@5", "frequency@1"]
    assert results[0].scores.mip == pytest.approx(1.0)
    assert "skipping tfidf_omikuji" in caplog.text
    with pytest.raises(ValueError, match="unknown baselines"):
        runner.run_baselines(articles, articles, articles, ["knn"])
