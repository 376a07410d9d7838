"""Learned fusion: boosted trees kept as arrays predict what scikit-learn predicts, are fitted
on out-of-fold lists only, and learn which member's evidence to trust."""

import json
import random
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from tasks.mesh_indexing.suggesters import (
    EnsembleSuggester,
    LearnedFusionSuggester,
    Suggester,
    Suggestion,
    tune,
)
from tasks.mesh_indexing.suggesters.boosted_trees import BoostedTrees
from tasks.mesh_indexing.suggesters.fusion import fold_of_index

LABELS = [f"L{i}" for i in range(12)]


class _Stateless(Suggester):
    """A test member whose scores depend on the text only (nothing to learn)."""

    fitted_on: list[set[str]] = []
    asked: list[tuple[int, set[str]]] = []

    def __init__(self) -> None:
        self.fitted = False

    @property
    def trained(self) -> bool:
        return self.fitted

    def config(self) -> dict[str, Any]:
        return {"type": self.name}

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        type(self).fitted_on.append(set(texts))
        self.fitted = True
        self.fit_index = len(type(self).fitted_on) - 1

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        type(self).asked.append((self.fit_index, set(texts)))
        out = []
        for text in texts:
            scored = [Suggestion(label, self.score(text, label)) for label in LABELS]
            scored.sort(key=lambda s: (-s.score, s.label))
            out.append(scored[:limit])
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)

    def load(self, directory: Path) -> None:
        self.fitted, self.fit_index = True, -1


@Suggester.register("test_weak_truth")
class WeakTruth(_Stateless):
    """Scores a label the text names a little higher than one it does not: true evidence,
    on a small scale."""

    name = "test_weak_truth"

    def score(self, text: str, label: str) -> float:
        return 0.2 if label in text.split() else 0.1


@Suggester.register("test_loud_noise")
class LoudNoise(_Stateless):
    """Scores on a large scale that carry no information about the text's labels."""

    name = "test_loud_noise"

    def score(self, text: str, label: str) -> float:
        return random.Random(f"{text}|{label}").random()


def corpus(n: int, seed: int) -> tuple[list[str], list[set[str]]]:
    """Each text names its 1-4 labels among filler words; the labels are its gold."""
    rng = random.Random(seed)
    texts, gold = [], []
    for i in range(n):
        labels = set(rng.sample(LABELS, rng.randint(1, 4)))
        words = sorted(labels) + [f"w{rng.randint(0, 50)}" for _ in range(6)] + [f"doc{seed}x{i}"]
        rng.shuffle(words)
        texts.append(" ".join(words))
        gold.append(labels)
    return texts, gold


def noisy_ensemble() -> EnsembleSuggester:
    return EnsembleSuggester({"truth": WeakTruth(), "noise": LoudNoise()})


def test_tree_arrays_predict_exactly_what_scikit_learn_predicts(tmp_path):
    rng = np.random.default_rng(0)
    features = rng.random((4000, 5))
    features[rng.random(features.shape) < 0.05] = np.nan  # missing values take a side too
    targets = (np.nan_to_num(features[:, 0]) + features[:, 1] * 0.5 > 0.7).astype(int)
    model = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(features, targets)
    trees = BoostedTrees.from_sklearn(model)
    assert trees.trees == 40
    expected = model.decision_function(features)
    assert trees._compiled() is not None  # the pinned scikit-learn has the compiled walk
    np.testing.assert_allclose(trees.decision(features), expected)
    np.testing.assert_allclose(trees.walk(features), expected)  # the fallback: same numbers
    trees.save(tmp_path / "trees.npz")
    loaded = BoostedTrees.load(tmp_path / "trees.npz")  # allow_pickle=False inside
    np.testing.assert_allclose(loaded.probability(features), model.predict_proba(features)[:, 1])
    with pytest.raises(ValueError, match="both positive and negative"):
        BoostedTrees.fit(features, np.ones(len(features), dtype=int))


def test_folds_are_balanced_and_seeded():
    folds = fold_of_index(103, 5, seed=1)
    assert sorted(np.bincount(folds).tolist()) == [20, 20, 21, 21, 21]
    assert (folds == fold_of_index(103, 5, seed=1)).all()
    assert (folds != fold_of_index(103, 5, seed=2)).any()


def test_fusion_learns_to_trust_the_quiet_true_member_over_the_loud_one(tmp_path):
    texts, gold = corpus(400, seed=1)
    held_texts, held_gold = corpus(200, seed=2)
    mean = noisy_ensemble()
    mean.fit(texts, gold)
    fused = LearnedFusionSuggester(noisy_ensemble(), folds=3, pool=12, min_samples_leaf=5)
    fused.fit(texts, gold)

    def tuned_mif(suggester: Suggester) -> float:
        return tune(suggester.suggest(held_texts, 12), held_gold).mif

    # the weighted mean ranks by the noise; the trees learn that only `truth` matters
    assert tuned_mif(mean) < 0.7
    assert tuned_mif(fused) > 0.98
    found = fused.suggest(held_texts[:1], 3)[0]
    assert fused.feature_names == ("fused", "noise", "truth")
    assert all(len(s.features) == 3 and s.features[0] == s.score for s in found)

    fused.save_to(tmp_path / "fused")
    restored = Suggester.load_from(tmp_path / "fused")
    assert restored.suggest(held_texts[:5], 5) == fused.suggest(held_texts[:5], 5)
    # trees fitted on other columns (an older version's) are refused, not misread
    names = json.loads((tmp_path / "fused" / "features.json").read_text())
    (tmp_path / "fused" / "features.json").write_text(json.dumps(names[:-1]))
    with pytest.raises(ValueError, match="fit the suggester again"):
        Suggester.load_from(tmp_path / "fused")


def test_trees_see_only_lists_from_bases_that_did_not_fit_on_those_texts():
    WeakTruth.fitted_on.clear(), WeakTruth.asked.clear()
    texts, gold = corpus(90, seed=3)
    LearnedFusionSuggester(WeakTruth(), folds=3, pool=5, min_samples_leaf=5).fit(texts, gold)
    assert [len(fitted) for fitted in WeakTruth.fitted_on] == [60, 60, 60, 90]  # 3 folds, full
    assert len(WeakTruth.asked) == 3
    for fit_index, asked in WeakTruth.asked:
        assert not asked & WeakTruth.fitted_on[fit_index], "a fold's base saw its own texts"
    assert set().union(*(asked for _, asked in WeakTruth.asked)) == set(texts)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="at least 2 folds"):
        LearnedFusionSuggester(WeakTruth(), folds=1)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        LearnedFusionSuggester(WeakTruth(), pool=0)
    with pytest.raises(ValueError, match="cannot make 5 folds"):
        LearnedFusionSuggester(WeakTruth(), folds=5).fit(["a", "b"], [{"L1"}, {"L2"}])


def test_compare_sets_the_threads_of_the_base_s_members():
    from tasks.mesh_indexing.commands.compare import set_threads
    from tasks.mesh_indexing.suggesters import TfidfOmikujiSuggester

    omikuji = TfidfOmikujiSuggester(n_threads=1)
    fused = LearnedFusionSuggester(EnsembleSuggester({"omikuji": omikuji, "truth": WeakTruth()}))
    set_threads(fused, 2)
    assert omikuji.n_threads == 2
