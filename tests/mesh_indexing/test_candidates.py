"""Out-of-fold candidates, the on-disk cache (shards read lazily, folds fitted in parallel,
resumable), and the state a model archive carries."""

import errno
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tasks.mesh_indexing.candidates import CandidateSource, Record, fold_of
from tasks.mesh_indexing.candidates.store import CandidateShard, RecordShards
from tasks.mesh_indexing.suggesters import Suggestion, TfidfKnnSuggester
from tasks.mesh_indexing.suggesters.fusion import (
    HeadingPriors,
    LearnedFusionSuggester,
    OutOfFoldLists,
)

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
    assert len(entries) == 1, entries  # the entry alone: no lock or partial folder left
    meta = json.loads((entries[0] / "meta.json").read_text())
    assert meta["records"] == 30 and 0.0 <= meta["out_of_fold_recall"] <= 1.0

    def no_fitting(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(TfidfKnnSuggester, "fit", no_fitting)
    second = source(train_file, tmp_path / "cache")
    second.prepare(records)
    assert len(second.out_of_fold) == len(first.out_of_fold) == 30
    assert all(second.out_of_fold.get(r.id) == first.out_of_fold.get(r.id) for r in records())
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


WORDS = (
    "cell tumour growth factor receptor kinase insulin glucose liver kidney heart muscle "
    "infection virus bacteria antibody vaccine child adult mouse rat drug dose trial"
).split()


def varied_records(n: int = 150) -> list[Record]:
    """A small synthetic corpus: texts of words drawn by a seeded generator, labels that
    follow the words (so a retriever has something to learn), ids of varied width."""
    import random

    rng = random.Random(7)
    out = []
    for i in range(n):
        words = rng.sample(WORDS, 6)
        labels = {f"L{WORDS.index(w) % 9}" for w in words[:3]} | {f"own{i}"}
        out.append(Record(id=str(7 * i**2 + 3), text=" ".join(words), labels=frozenset(labels)))
    return out


def in_memory_out_of_fold(data, folds, top_k):
    """What the cache held before it streamed: each fold's records suggested by a retriever
    fitted, in memory, on the other folds in file order."""
    out = {}
    for k in range(folds):
        inside = [r for r in data if fold_of(r.id, folds) != k]
        held = [r for r in data if fold_of(r.id, folds) == k]
        retriever = TfidfKnnSuggester(neighbours=5, tfidf={"min_df": 1})
        retriever.fit([r.text for r in inside], [r.labels for r in inside])
        for record, found in zip(held, retriever.suggest([r.text for r in held], top_k)):
            out[record.id] = found
    return out


def test_on_disk_lists_equal_the_in_memory_ones(tmp_path):
    data = varied_records()
    train = tmp_path / "train.json"
    train.write_text("synthetic")
    built = CandidateSource(
        TfidfKnnSuggester(neighbours=5, tfidf={"min_df": 1}),
        str(train),
        top_k=6,
        folds=4,
        cache_dir=str(tmp_path / "cache"),
    )
    built.prepare(lambda: iter(data))
    expected = in_memory_out_of_fold(data, 4, 6)
    got = built.candidates([r.id for r in data], [r.text for r in data], training_file=True)
    assert built.counts == {"out_of_fold": len(data), "full": 0}
    assert {r.id: found for r, found in zip(data, got)} == expected
    for record, found in zip(data, got):  # no article's own labels reach its candidates
        assert f"own{data.index(record)}" not in {c.label for c in found}
    (entry,) = (tmp_path / "cache").iterdir()
    assert sorted(p.name for p in entry.iterdir()) == ["meta.json", "out_of_fold", "retriever"]
    meta = json.loads((entry / "meta.json").read_text())
    assert meta["records"] == 150 and sum(meta["records_per_fold"]) == 150


def fusion_retriever() -> LearnedFusionSuggester:
    return LearnedFusionSuggester(
        TfidfKnnSuggester(neighbours=5, tfidf={"min_df": 1}),
        pool=8,
        max_trees=20,
        min_samples_leaf=5,
    )


def test_a_learned_fusion_retriever_is_fitted_once_per_fold_and_cross_fitted(tmp_path, monkeypatch):
    data = varied_records()
    train = tmp_path / "train.json"
    train.write_text("synthetic")
    fits = []
    real_fit = TfidfKnnSuggester.fit
    monkeypatch.setattr(
        TfidfKnnSuggester, "fit", lambda self, *a: fits.append(1) or real_fit(self, *a)
    )
    built = CandidateSource(
        fusion_retriever(), str(train), top_k=6, folds=4, cache_dir=str(tmp_path / "cache")
    )
    built.prepare(lambda: iter(data))
    # the base is fitted per fold and on the whole file; the fusion's own folds are not nested
    assert len(fits) == 4 + 1

    # what the cache holds: the base's lists 8 deep (the fusion's pool), in fold order, each
    # fold re-ranked by trees fitted on the other folds' lists, cut to top_k
    base_lists = in_memory_out_of_fold(data, 4, 8)
    by_fold = [[r for r in data if fold_of(r.id, 4) == k] for k in range(4)]
    ordered = [r for fold in by_fold for r in fold]
    assignment = np.array([fold_of(r.id, 4) for r in ordered])
    priors = [HeadingPriors.of([r.labels for r in data if fold_of(r.id, 4) != k]) for k in range(4)]
    lists = OutOfFoldLists(assignment, [base_lists[r.id] for r in ordered], priors)
    expected = fusion_retriever().fit_and_cross_fit(
        [r.text for r in ordered], [r.labels for r in ordered], lists, 6
    )
    got = built.candidates([r.id for r in ordered], [r.text for r in ordered], True)
    assert got == expected
    for found in got:
        assert len(found) == 6 and len(found[0].features) == 2  # fused, then the base's score
        assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
        assert all(0.0 <= c.score <= 1.0 for c in found)

    (entry,) = (tmp_path / "cache").iterdir()
    assert sorted(p.name for p in entry.iterdir()) == ["meta.json", "out_of_fold", "retriever"]
    meta = json.loads((entry / "meta.json").read_text())
    assert meta["reranking"]["trees"] >= 1 and 0 < meta["reranking"]["base_recall"] <= 1

    # other files get the full fusion's lists; an archive restores the same fusion
    text = data[0].text
    expected_full = built.candidates(["x"], [text], training_file=False)[0]
    assert len(expected_full) == 6 and expected_full[0].score <= 1.0
    built.publish(tmp_path / "run" / "candidates")
    restored = CandidateSource(
        fusion_retriever(), str(train), top_k=6, folds=4, cache_dir=str(tmp_path / "other")
    )
    restored.restore(tmp_path / "run" / "candidates")
    restored.prepare(lambda: iter(data))
    assert restored.candidates(["x"], [text], training_file=False)[0] == expected_full


def test_folds_fitted_in_parallel_processes_give_the_same_lists(tmp_path):
    data = varied_records(60)
    train = tmp_path / "train.json"
    train.write_text("synthetic")

    def build(cache, workers):
        source_ = CandidateSource(
            TfidfKnnSuggester(neighbours=5, tfidf={"min_df": 1}),
            str(train),
            top_k=6,
            folds=3,
            cache_dir=str(cache),
            workers=workers,
        )
        source_.prepare(lambda: iter(data))
        return source_

    serial, parallel = build(tmp_path / "serial", 1), build(tmp_path / "parallel", 2)
    meta = json.loads(next((tmp_path / "parallel").iterdir()).joinpath("meta.json").read_text())
    assert meta["workers"] == 2
    assert len({fit["pid"] for fit in meta["fits"]} - {os.getpid()}) >= 1  # other processes
    for record in data:
        assert serial.out_of_fold.get(record.id) == parallel.out_of_fold.get(record.id)


RESUMABLE_BUILD = """
import logging, os, random, sys
from pathlib import Path
from tasks.mesh_indexing.candidates import CandidateSource, Record
from tasks.mesh_indexing.suggesters import Suggester, TfidfKnnSuggester

@Suggester.register("fit_logging_knn")
class FitLoggingKnn(TfidfKnnSuggester):
    def config(self):
        return {**super().config(), "type": "fit_logging_knn"}

    def fresh(self):
        return FitLoggingKnn(self.neighbours, self.power, self.tfidf_settings)

    def fit(self, texts, label_sets):
        log = Path(os.environ["FIT_LOG"])
        done = len(log.read_text().splitlines()) if log.exists() else 0
        if str(done) == os.environ.get("KILL_AT_FIT"):
            os.kill(os.getpid(), 9)
        super().fit(texts, label_sets)
        with log.open("a") as out:
            out.write(f"{len(texts)}\\n")

logging.basicConfig(level=logging.INFO)
rng = random.Random(3)
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
data = [Record(str(i), " ".join(rng.sample(words, 4)), frozenset({words[i % 10]}))
        for i in range(80)]
source = CandidateSource(FitLoggingKnn(neighbours=4, tfidf={"min_df": 1}), sys.argv[1],
                         top_k=4, folds=3, cache_dir=sys.argv[2], workers=1)
source.prepare(lambda: iter(data))
print(sum(source.out_of_fold.get(r.id) is not None for r in data))
"""


def test_a_build_killed_during_fold_fitting_resumes_without_refitting(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(textwrap.dedent(RESUMABLE_BUILD))
    train, cache, log = tmp_path / "train.json", tmp_path / "cache", tmp_path / "fits.log"
    train.write_text("synthetic")
    env = {**os.environ, "FIT_LOG": str(log), "PYTHONPATH": os.getcwd()}
    command = [sys.executable, str(script), str(train), str(cache)]

    killed = subprocess.run(command, env={**env, "KILL_AT_FIT": "2"}, capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert len(log.read_text().splitlines()) == 2  # folds 0 and 1 finished
    (partial,) = [p for p in cache.iterdir() if p.name.endswith(".partial")]
    assert sorted(p.name for p in (partial / "out_of_fold").iterdir()) == ["fold-0", "fold-1"]

    resumed = subprocess.run(command, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert resumed.stdout.strip() == "80"
    # fold 2 and the full retriever only: 3 folds + 1 full = 4 fits in all
    assert len(log.read_text().splitlines()) == 4
    assert "2 of 4 fits already done" in resumed.stderr
    assert not partial.exists()


class DiskFillingKnn(TfidfKnnSuggester):
    """Fails its ``fail_at``-th fit (counted across copies) as a full disk would."""

    fits = 0
    fail_at = -1

    def fresh(self):
        return DiskFillingKnn(self.neighbours, self.power, self.tfidf_settings)

    def fit(self, texts, label_sets):
        DiskFillingKnn.fits += 1
        if DiskFillingKnn.fits == DiskFillingKnn.fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        super().fit(texts, label_sets)


def test_a_disk_full_during_fitting_keeps_the_finished_steps_for_the_rerun(
    train_file, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(DiskFillingKnn, "fits", 0)
    monkeypatch.setattr(DiskFillingKnn, "fail_at", 3)  # folds 0 and 1 done, fold 2 fails
    cache = tmp_path / "cache"

    def build():
        retriever = DiskFillingKnn(neighbours=5, tfidf={"min_df": 1})
        built = CandidateSource(retriever, str(train_file), top_k=5, folds=3, cache_dir=str(cache))
        built.prepare(records)
        return built

    with pytest.raises(OSError) as raised:
        build()
    assert raised.value.errno == errno.ENOSPC
    (partial,) = [p for p in cache.iterdir() if p.name.endswith(".partial")]
    assert sorted(p.name for p in (partial / "out_of_fold").iterdir()) == ["fold-0", "fold-1"]
    assert "kept in" in caplog.text and "so that a rerun resumes them" in caplog.text

    built = build()  # space freed: fold 2 and the full retriever only
    assert DiskFillingKnn.fits == 3 + 2
    assert not partial.exists()
    assert all(built.out_of_fold.get(r.id) is not None for r in records())


def test_record_and_candidate_shards_read_back_what_was_written(tmp_path):
    data = [
        Record("1", "a first text", frozenset({"x", "y"})),
        Record("22", "ünïcode text", frozenset({"y"})),
        Record("1", "a duplicate id is skipped", frozenset({"z"})),
        Record("333", "", frozenset({"x"})),
    ]
    summary = RecordShards.write(tmp_path / "records", iter(data), 2, fold_of)
    assert summary["records"] == 3 and summary["duplicate_ids_skipped"] == 1
    shards = RecordShards(tmp_path / "records")
    assert list(shards.texts([0, 1])) == ["a first text", "ünïcode text", ""]
    assert shards.texts([0, 1])[1] == "ünïcode text" and shards.texts([0, 1])[-1] == ""
    assert list(shards.labels([0, 1])) == [("x", "y"), ("y",), ("x",)]
    with pytest.raises(IndexError):
        shards.texts([0, 1])[3]

    found = [[Suggestion("x", 0.5, (0.5, 0.0))], [], [Suggestion("é", 1.0, (0.1, 0.9))]]
    CandidateShard.write(tmp_path / "shard", ["b", "a", "ccc"], found)
    shard = CandidateShard(tmp_path / "shard")
    assert shard.get("b") == found[0] and shard.get("a") == [] and shard.get("ccc") == found[2]
    assert shard.get("missing") is None and shard.get("much-longer-than-any-id") is None
    CandidateShard.write(tmp_path / "empty", ["a", "b"], [[], []])  # a fold with no candidates
    assert CandidateShard(tmp_path / "empty").get("b") == []
    with pytest.raises(ValueError, match="features"):
        CandidateShard.write(
            tmp_path / "bad",
            ["a", "b"],
            [[Suggestion("x", 1.0, (1.0,))], [Suggestion("y", 1.0, ())]],
        )


def test_bad_worker_count_is_refused(train_file, tmp_path):
    with pytest.raises(ValueError, match="workers"):
        CandidateSource(TfidfKnnSuggester(), str(train_file), workers=0)


UNGUARDED_SCRIPT = """
import random, sys
from tasks.mesh_indexing.candidates import CandidateSource, Record
from tasks.mesh_indexing.suggesters import TfidfKnnSuggester

words = "alpha beta gamma delta epsilon zeta eta theta".split()
data = [Record(str(i), " ".join(random.Random(i).sample(words, 3)), frozenset({words[i % 8]}))
        for i in range(40)]
source = CandidateSource(TfidfKnnSuggester(neighbours=3, tfidf={"min_df": 1}), sys.argv[1],
                         top_k=3, folds=2, cache_dir=sys.argv[2], workers=2)
source.prepare(lambda: iter(data))
"""


def test_an_unguarded_script_fails_with_a_clear_message_instead_of_hanging(tmp_path):
    """Spawned fit processes import the main script; without a `__main__` guard it would
    start the build again and wait for ever on the parent's lock."""
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT)
    train = tmp_path / "train.json"
    train.write_text("synthetic")
    result = subprocess.run(
        [sys.executable, str(script), str(train), str(tmp_path / "cache")],
        env={**os.environ, "PYTHONPATH": os.getcwd()},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "if __name__ == '__main__':" in result.stderr
