"""Retrievers: fit, retrieve, save and load without pickle, and the ensemble's union."""

import pytest

from multitask.retrieval import EnsembleRetriever, TfidfKnnRetriever, TfidfOmikujiRetriever
from multitask.retrieval.base import CandidateRetriever

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


def small_retrievers() -> list[CandidateRetriever]:
    retrievers: list[CandidateRetriever] = [TfidfKnnRetriever(neighbours=3, tfidf=TFIDF)]
    try:
        retrievers.append(TfidfOmikujiRetriever(n_threads=1, tfidf=TFIDF))
    except ImportError:  # pragma: no cover - the baselines extra is part of `make install`
        pass
    return retrievers


@pytest.mark.parametrize("retriever", small_retrievers(), ids=lambda r: r.config()["type"])
def test_fit_retrieve_and_round_trip_without_pickle(retriever, tmp_path):
    retriever.fit(TEXTS, LABELS)
    found = retriever.retrieve(["lung cancer in men who smoke"], top_k=3)[0]
    assert len(found) == 3
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert "Lung Neoplasms" in {c.label for c in found}
    retriever.save(tmp_path / "state")
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"
    restored = retriever.fresh()
    restored.load(tmp_path / "state")
    again = restored.retrieve(["lung cancer in men who smoke"], top_k=3)[0]
    assert [(c.label, round(c.score, 5)) for c in again] == [
        (c.label, round(c.score, 5)) for c in found
    ]


def test_fresh_copies_settings_but_not_state():
    retriever = TfidfKnnRetriever(neighbours=3, power=1.5, tfidf=TFIDF)
    retriever.fit(TEXTS, LABELS)
    copy = retriever.fresh()
    assert copy.config() == retriever.config()
    with pytest.raises(RuntimeError, match="fit or load"):
        copy.retrieve(["anything"], top_k=1)


def test_ensemble_keeps_every_members_score_and_ranks_by_weighted_sum(tmp_path):
    near = TfidfKnnRetriever(neighbours=1, tfidf=TFIDF)
    wide = TfidfKnnRetriever(neighbours=6, power=1.0, tfidf=TFIDF)
    ensemble = EnsembleRetriever({"near": near, "wide": wide}, weights={"near": 0.5})
    ensemble.fit(TEXTS, LABELS)
    found = ensemble.retrieve(["insulin in type 2 diabetes"], top_k=4)[0]
    assert ensemble.feature_names == ("near", "wide")
    for candidate in found:
        near_score, wide_score = candidate.features
        assert candidate.score == pytest.approx(0.5 * near_score + 1.0 * wide_score)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    ensemble.save(tmp_path / "e")
    restored = ensemble.fresh()
    restored.load(tmp_path / "e")
    assert restored.retrieve(["insulin in type 2 diabetes"], top_k=4)[0] == found


def test_ensemble_rejects_weights_for_unknown_members():
    with pytest.raises(ValueError, match="unknown retrievers"):
        EnsembleRetriever({"knn": TfidfKnnRetriever()}, weights={"omikuji": 1.0})


def test_omikuji_densified_and_threaded_retrieval_matches_the_sparse_serial_one(tmp_path):
    pytest.importorskip("omikuji", reason="omikuji is part of the baselines extra")
    sparse_serial = TfidfOmikujiRetriever(n_threads=1, tfidf=TFIDF, max_sparse_density=None)
    sparse_serial.fit(TEXTS, LABELS)
    sparse_serial.save(tmp_path / "state")
    dense_threaded = TfidfOmikujiRetriever(n_threads=2, tfidf=TFIDF, max_sparse_density=0.0)
    dense_threaded.load(tmp_path / "state")
    queries = ["lung cancer in men who smoke", "insulin for diabetes", "mammography"] * 4
    expected = sparse_serial.retrieve(queries, top_k=5)
    found = dense_threaded.retrieve(queries, top_k=5)
    # dense and sparse dot products sum in different orders: equal up to float rounding
    assert [[c.label for c in row] for row in found] == [[c.label for c in row] for row in expected]
    for row, expected_row in zip(found, expected):
        assert [c.score for c in row] == pytest.approx([c.score for c in expected_row], abs=1e-5)
    assert dense_threaded.config() == sparse_serial.config()  # speed settings, same identity
