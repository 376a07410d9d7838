"""Out-of-fold candidates, the on-disk cache, and the state a model archive carries."""

import json

import pytest

from tasks.mesh_indexing.candidates import CandidateSource, Record, fold_of
from tasks.mesh_indexing.suggesters import TfidfKnnSuggester

TOPICS = ["breast cancer women", "lung cancer smoking men", "diabetes insulin therapy"]


def records(n: int = 30) -> list[Record]:
    """Each record shares a topic label with a third of the others, and has one label of
    its own that no other record carries."""
    return [
        Record(
            id=str(1000 + i),
            text=f"{TOPICS[i % 3]} study number {i}",
            labels=frozenset({f"topic{i % 3}", f"own{i}"}),
        )
        for i in range(n)
    ]


@pytest.fixture
def train_file(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps([r.id for r in records()]))
    return path


def source(train_file, cache_dir, folds=3):
    retriever = TfidfKnnSuggester(neighbours=5, tfidf={"min_df": 1})
    return CandidateSource(
        retriever, str(train_file), top_k=5, folds=folds, cache_dir=str(cache_dir)
    )


def test_no_training_record_gets_its_own_labels_back(train_file, tmp_path):
    built = source(train_file, tmp_path / "cache")
    built.prepare(records)
    data = records()
    found = built.candidates([r.id for r in data], [r.text for r in data], training_file=True)
    for record, candidates in zip(data, found):
        labels = {c.label for c in candidates}
        own = next(label for label in record.labels if label.startswith("own"))
        # only a retriever that saw the record could propose its own label
        assert own not in labels, f"{record.id} got its own label back"
        assert f"topic{(int(record.id) - 1000) % 3}" in labels
    # the full retriever (validation / test files) has seen every record
    again = built.candidates([data[0].id], [data[0].text], training_file=False)[0]
    assert "own0" in {c.label for c in again}


def test_folds_are_deterministic_and_all_used():
    assert [fold_of(r.id, 3) for r in records()] == [fold_of(r.id, 3) for r in records()]
    assert {fold_of(r.id, 3) for r in records()} == {0, 1, 2}


def test_cache_is_reused_and_keyed_by_training_content(train_file, tmp_path, monkeypatch):
    first = source(train_file, tmp_path / "cache")
    first.prepare(records)
    entries = list((tmp_path / "cache").iterdir())
    assert len(entries) == 1
    meta = json.loads((entries[0] / "meta.json").read_text())
    assert meta["records"] == 30 and 0.0 <= meta["out_of_fold_recall"] <= 1.0

    def no_fitting(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(TfidfKnnSuggester, "fit", no_fitting)
    second = source(train_file, tmp_path / "cache")
    second.prepare(records)
    assert second.out_of_fold.keys() == first.out_of_fold.keys()
    monkeypatch.undo()

    train_file.write_text(train_file.read_text() + " ")  # other content: another entry
    third = source(train_file, tmp_path / "cache")
    third.prepare(records)
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_published_state_restores_without_the_training_file(train_file, tmp_path):
    built = source(train_file, tmp_path / "cache")
    built.prepare(records)
    built.publish(tmp_path / "run" / "artifacts" / "candidates")
    expected = built.candidates(["x"], ["lung cancer smoking"], training_file=False)[0]

    train_file.unlink()
    restored = source(train_file, tmp_path / "elsewhere")
    restored.restore(tmp_path / "run" / "artifacts" / "candidates")
    restored.prepare(records)  # nothing to fit: the archived retriever is used
    assert restored.candidates(["x"], ["lung cancer smoking"], training_file=False)[0] == expected
    assert not (tmp_path / "elsewhere").exists()


def test_restore_refuses_state_built_with_other_settings(train_file, tmp_path):
    built = source(train_file, tmp_path / "cache")
    built.prepare(records)
    built.publish(tmp_path / "state")
    other = source(train_file, tmp_path / "cache", folds=4)
    with pytest.raises(ValueError, match="was built with"):
        other.restore(tmp_path / "state")


def test_missing_training_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="training file .* not found"):
        source(tmp_path / "nope.json", tmp_path / "cache").prepare(records)


def test_bad_settings_are_refused(train_file, tmp_path):
    with pytest.raises(ValueError, match="folds"):
        source(train_file, tmp_path, folds=1)


def test_eval_top_k_lists_more_candidates_outside_the_training_file(train_file, tmp_path):
    retriever = TfidfKnnSuggester(neighbours=20, tfidf={"min_df": 1})
    built = CandidateSource(
        retriever, str(train_file), top_k=3, eval_top_k=8, folds=3, cache_dir=str(tmp_path)
    )
    built.prepare(records)
    data = records()
    training = built.candidates([data[0].id], [data[0].text], training_file=True)[0]
    other = built.candidates(["new"], [data[0].text], training_file=False)[0]
    assert len(training) == 3 and len(other) == 8
    # the count for other files is not part of the cache key: an archive may be asked for more
    assert "eval_top_k" not in built.settings()
    with pytest.raises(ValueError, match="eval_top_k"):
        CandidateSource(retriever, str(train_file), eval_top_k=0)


def test_state_published_before_the_suggester_interface_still_restores(train_file, tmp_path):
    """Archives trained before the rename list an ensemble's members as `retrievers`."""
    from tasks.mesh_indexing.suggesters import EnsembleSuggester

    def ensemble_source(cache):
        members = {"knn": TfidfKnnSuggester(neighbours=5, tfidf={"min_df": 1})}
        return CandidateSource(
            EnsembleSuggester(members), str(train_file), top_k=5, folds=3, cache_dir=str(cache)
        )

    built = ensemble_source(tmp_path / "cache")
    built.prepare(records)
    state = tmp_path / "state"
    built.publish(state)
    meta = json.loads((state / "meta.json").read_text())
    meta["settings"]["retriever"]["retrievers"] = meta["settings"]["retriever"].pop("members")
    (state / "meta.json").write_text(json.dumps(meta))
    restored = ensemble_source(tmp_path / "other")
    restored.restore(state)
    assert restored.restored
