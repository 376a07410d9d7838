"""Every registered suggester: fit, suggest, save / load without pickle, and what each
algorithm must get right on texts whose words decide their headings."""

import pytest
from scipy import sparse

from tasks.mesh_indexing.suggesters import (
    EnsembleSuggester,
    FrequencySuggester,
    LearnedFusionSuggester,
    Suggester,
    TfidfKnnSuggester,
    TfidfLinearSuggester,
    TfidfOmikujiSuggester,
)
from tasks.mesh_indexing.suggesters.omikuji import write_xc_file

TEXTS = [
    "breast cancer in women after menopause",
    "breast tumour screening with mammography in women",
    "lung cancer and smoking in men",
    "smoking cessation lowers lung cancer risk in men",
    "insulin resistance in type 2 diabetes",
    "diabetes and insulin therapy outcomes",
] * 3
LABELS = [
    {"Breast Neoplasms", "Female"},
    {"Breast Neoplasms", "Mammography", "Female"},
    {"Lung Neoplasms", "Smoking", "Male"},
    {"Smoking Cessation", "Lung Neoplasms", "Male"},
    {"Insulin Resistance", "Diabetes Mellitus, Type 2"},
    {"Diabetes Mellitus, Type 2", "Insulin"},
] * 3
TFIDF = {"min_df": 1}
QUERY = "lung cancer in men who smoke"


def text_suggesters() -> list[Suggester]:
    """The suggesters that read the text (frequency does not)."""
    found: list[Suggester] = [
        TfidfKnnSuggester(neighbours=3, tfidf=TFIDF),
        TfidfLinearSuggester(min_examples=3, tfidf=TFIDF),
        EnsembleSuggester({"knn": TfidfKnnSuggester(neighbours=3, tfidf=TFIDF)}),
        LearnedFusionSuggester(
            TfidfKnnSuggester(neighbours=3, tfidf=TFIDF), folds=2, pool=6, min_samples_leaf=2
        ),
    ]
    try:
        found.append(TfidfOmikujiSuggester(n_threads=1, tfidf=TFIDF))
    except ImportError:  # pragma: no cover - the baselines extra is part of `make install`
        pass
    return found


@pytest.mark.parametrize("suggester", text_suggesters(), ids=lambda s: s.config()["type"])
def test_fit_suggest_and_round_trip_without_pickle(suggester, tmp_path):
    assert not suggester.trained
    suggester.fit(TEXTS, LABELS)
    assert suggester.trained
    found = suggester.suggest([QUERY], limit=3)[0]
    assert len(found) == 3
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert found[0].label in {"Lung Neoplasms", "Smoking", "Male"}
    suggester.save_to(tmp_path / "state")
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"
    restored = Suggester.load_from(tmp_path / "state")
    assert type(restored) is type(suggester) and restored.config() == suggester.config()
    again = restored.suggest([QUERY], limit=3)[0]
    assert [(s.label, round(s.score, 5)) for s in again] == [
        (s.label, round(s.score, 5)) for s in found
    ]


@pytest.mark.parametrize("suggester", text_suggesters(), ids=lambda s: s.config()["type"])
def test_fresh_copies_settings_but_not_state_and_limits_are_checked(suggester):
    suggester.fit(TEXTS, LABELS)
    copy = suggester.fresh()
    assert copy.config() == suggester.config() and not copy.trained
    with pytest.raises(RuntimeError, match="fit or load"):
        copy.suggest(["anything"], limit=1)
    with pytest.raises(ValueError, match="limit"):
        suggester.suggest(["anything"], limit=0)
    with pytest.raises(ValueError, match="2 texts but 1 label sets"):
        copy.fit(TEXTS[:2], LABELS[:1])


def test_frequency_ranks_by_share_of_texts_with_ties_broken_by_label(tmp_path):
    train = [{"Humans", "Female", "Mice"}, {"Humans", "Female"}, {"Humans", "Male"}]
    train += [{"Humans", "Male"}, {"Humans", "Female", "Male"}, {"Animals"}]
    suggester = FrequencySuggester()
    suggester.fit(["text"] * len(train), train)
    top = suggester.suggest(["any", "other"], limit=3)
    assert top[0] == top[1]
    assert [s.label for s in top[0]] == ["Humans", "Female", "Male"]  # 5, 3, 3: tie by name
    assert top[0][0].score == pytest.approx(5 / 6)
    duplicates = FrequencySuggester()
    duplicates.fit(["a", "b", "c"], [["A", "A", "A"], ["B"], ["B"]])
    assert [s.label for s in duplicates.suggest(["x"], 5)[0]] == ["B", "A"]


def test_ensemble_ranks_by_the_weighted_mean_and_keeps_every_members_score(tmp_path):
    near = TfidfKnnSuggester(neighbours=1, tfidf=TFIDF)
    wide = TfidfKnnSuggester(neighbours=6, power=1.0, tfidf=TFIDF)
    ensemble = EnsembleSuggester({"near": near, "wide": wide}, weights={"near": 0.5})
    ensemble.fit(TEXTS, LABELS)
    found = ensemble.suggest(["insulin in type 2 diabetes"], limit=4)[0]
    assert ensemble.feature_names == ("near", "wide")
    for suggestion in found:
        near_score, wide_score = suggestion.features
        assert suggestion.score == pytest.approx((0.5 * near_score + wide_score) / 1.5)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_ensemble_refuses_bad_members_and_takes_the_old_name():
    with pytest.raises(ValueError, match="unknown members"):
        EnsembleSuggester({"knn": TfidfKnnSuggester()}, weights={"omikuji": 1.0})
    with pytest.raises(ValueError, match="at least one member"):
        EnsembleSuggester({})
    old = EnsembleSuggester(retrievers={"knn": TfidfKnnSuggester()})
    assert list(old.members) == ["knn"] and "members" in old.config()


def test_omikuji_densified_and_threaded_suggestions_match_the_sparse_serial_ones(tmp_path):
    pytest.importorskip("omikuji", reason="omikuji is part of the baselines extra")
    sparse_serial = TfidfOmikujiSuggester(n_threads=1, tfidf=TFIDF, max_sparse_density=None)
    sparse_serial.fit(TEXTS, LABELS)
    sparse_serial.save(tmp_path / "state")
    dense_threaded = TfidfOmikujiSuggester(n_threads=2, tfidf=TFIDF, max_sparse_density=0.0)
    dense_threaded.load(tmp_path / "state")
    queries = ["lung cancer in men who smoke", "insulin for diabetes", "mammography"] * 4
    expected = sparse_serial.suggest(queries, limit=5)
    found = dense_threaded.suggest(queries, limit=5)
    # dense and sparse dot products sum in different orders: equal up to float rounding
    assert [[s.label for s in row] for row in found] == [[s.label for s in row] for row in expected]
    for row, expected_row in zip(found, expected):
        assert [s.score for s in row] == pytest.approx([s.score for s in expected_row], abs=1e-5)
    assert dense_threaded.config() == sparse_serial.config()  # speed settings, same identity


def test_linear_svms_only_learn_headings_with_enough_examples():
    suggester = TfidfLinearSuggester(min_examples=4, tfidf=TFIDF)
    suggester.fit(TEXTS, LABELS)
    # each heading occurs 3 or 6 times: only the 6-times ones get a classifier
    six_times = ["Breast Neoplasms", "Diabetes Mellitus, Type 2", "Female", "Lung Neoplasms"]
    assert suggester.labels == [*six_times, "Male"]
    with pytest.raises(ValueError, match="no heading has 100"):
        TfidfLinearSuggester(min_examples=100, tfidf=TFIDF).fit(TEXTS, LABELS)


def test_xc_file_format(tmp_path):
    features = sparse.csr_matrix([[0.5, 0.0, 0.25], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0, 0, 0]])
    path = tmp_path / "data.txt"
    written = write_xc_file(features, [[1, 0], [2], [], []], 3, str(path))
    assert written == 3  # the row with neither labels nor features is left out
    assert path.read_text().splitlines() == ["3 3 3", "0,1 0:0.5 2:0.25", "2", " 1:1"]


def test_tfidf_on_a_large_corpus_fits_its_vocabulary_on_an_even_sample():
    from tasks.mesh_indexing.suggesters.tfidf import TfidfFeatures

    texts = [f"common word{i % 7} rare{i}" for i in range(40)]
    whole = TfidfFeatures(min_df=1)
    sampled = TfidfFeatures(min_df=1, vocabulary_sample=10)
    full_matrix, sampled_matrix = whole.fit_transform(texts), sampled.fit_transform(texts)
    # the sample is every 4th text: only its rare words are in the vocabulary
    vocabulary = sampled.vectorizer.vocabulary_
    assert {f"rare{i}" for i in range(0, 40, 4)} <= set(vocabulary)
    assert "rare1" not in vocabulary and "rare1" in whole.vectorizer.vocabulary_
    # every text is still transformed, with the sampled vocabulary
    assert sampled_matrix.shape == (40, len(vocabulary)) and full_matrix.shape[0] == 40
    assert (sampled_matrix != sampled.transform(texts)).nnz == 0
    # small corpora are fitted whole, as before the sample existed
    small = TfidfFeatures(min_df=1, vocabulary_sample=40)
    assert (small.fit_transform(texts) != full_matrix).nnz == 0
