"""Learned fusion: gradient-boosted trees re-rank a base suggester's candidates.

A weighted mean gives each member one weight for every heading and every article. The
evidence is richer than that: a lexical match means more for a rare heading than for a check
tag, kNN agreement means more when the neighbours are close, and how many headings an
article deserves shows in how much score its whole list carries (MeSHLabeler's MeSHNumber
idea). Trees over the members' scores, the candidate's rank, the heading's prior and the
list's mass learn those interactions; their output is a calibrated probability, so one
tuned threshold then selects a per-article number of headings.

The trees are fitted on out-of-fold candidate lists (each fold's lists come from a base
fitted on the other folds), so they learn how the base behaves on unseen text, never how
it echoes its own training labels.

Each heading's own record as a candidate (how often it was gold when listed, on the other
folds' lists) was tried as a feature and dropped: it lowered validation MiF (0.5727 ->
0.5701). Left-out-fold target encoding is biased for rare headings: one whose few gold
texts fall in fold k looks like a false alarm on the other folds' lists, exactly for the
rows where it is gold, a pattern the trees learn and validation does not repeat.
"""

import logging
import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
from tqdm import tqdm

from tasks.mesh_indexing.suggesters.base import (
    Suggester,
    Suggestion,
    check_fit_input,
    check_limit,
    read_json,
    write_json,
)
from tasks.mesh_indexing.suggesters.boosted_trees import BoostedTrees

# No postponed annotations in this module: AllenNLP reads the constructor's types.
logger = logging.getLogger(__name__)

#: the features of a candidate besides its members' scores, in column order
OWN_FEATURES = (
    "score",  # the base's (for an ensemble: the weighted mean)
    "rank",
    "log rank",
    "share of top",  # score / the list's top score
    "members proposing",
    "log prior",  # share of training texts with the heading
    "mass top 5",  # sums of the list's top scores: how many headings the text deserves
    "mass top 10",
    "mass top 20",
    "log words",
)
_TREES_FILE = "trees.npz"
_PRIORS_FILE = "priors.json"
#: the feature names the trees were fitted on, checked when a saved suggester loads
_FEATURES_FILE = "features.json"
_SUGGEST_CHUNK = 1024


class HeadingPriors:
    """The share of training texts that carry each heading (a check tag's is high)."""

    def __init__(self, counts: Counter[str], texts: int) -> None:
        self.counts, self.texts = counts, texts
        self.unseen = math.log(0.5 / max(texts, 1))

    @classmethod
    def of(cls, label_sets: Sequence[Collection[str]]) -> "HeadingPriors":
        counts: Counter[str] = Counter()
        for labels in label_sets:
            counts.update(set(labels))
        return cls(counts, len(label_sets))

    def log_share(self, label: str) -> float:
        count = self.counts.get(label, 0)
        return math.log(count / self.texts) if count else self.unseen


def candidate_features(
    suggestions: Sequence[Suggestion],
    text: str,
    priors: HeadingPriors,
    members: int,
) -> np.ndarray:
    """One row per suggestion: the base's features, then the evidence listed above."""
    rows = np.zeros((len(suggestions), members + len(OWN_FEATURES)), dtype=np.float64)
    if not suggestions:
        return rows
    scores = np.array([s.score for s in suggestions], dtype=np.float64)
    top = scores[0] if scores[0] > 0 else 1.0
    mass = [float(scores[:n].sum()) for n in (5, 10, 20)]
    words = math.log1p(len(text.split()))
    for rank, suggestion in enumerate(suggestions):
        base = suggestion.features[:members] if members > 1 else (suggestion.score,)
        proposed = sum(1 for value in base if value > 0)
        rows[rank, :members] = base
        rows[rank, members:] = (
            suggestion.score,
            rank,
            math.log1p(rank),
            suggestion.score / top,
            proposed,
            priors.log_share(suggestion.label),
            *mass,
            words,
        )
    return rows


def rerank(
    found: Sequence[Sequence[Suggestion]], probability: np.ndarray, limit: Optional[int] = None
) -> list[list[Suggestion]]:
    """Each list sorted by the trees' ``probability`` (one per suggestion, all lists in a
    row; ties by label), which becomes the score; the base's features follow it."""
    out, start = [], 0
    for suggestions in found:
        fused = probability[start : start + len(suggestions)]
        start += len(suggestions)
        ranked = [
            Suggestion(s.label, float(p), (float(p), *(s.features or (s.score,))))
            for s, p in zip(suggestions, fused)
        ]
        ranked.sort(key=lambda s: (-s.score, s.label))
        out.append(ranked[:limit])
    return out


def fold_of_index(count: int, folds: int, seed: int) -> np.ndarray:
    """Each text's fold: a seeded shuffle dealt round-robin, so folds differ by one at most."""
    order = np.random.default_rng(seed).permutation(count)
    assignment = np.empty(count, dtype=np.int64)
    assignment[order] = np.arange(count) % folds
    return assignment


@dataclass
class OutOfFoldLists:
    """Per text: its fold and the candidates of the base fitted without that fold; per
    fold: the heading priors of the texts outside it."""

    fold: np.ndarray
    found: list[list[Suggestion]]
    priors: list[HeadingPriors]


@Suggester.register("learned_fusion")
class LearnedFusionSuggester(Suggester):
    """Re-ranks ``base``'s first ``pool`` suggestions by the probability that boosted trees
    give each one of being a gold heading.

    # Parameters

    base : `Suggester`
        The retriever whose candidates are re-ranked (typically an ensemble: its members'
        scores become separate features).
    folds : `int`, optional (default = `5`)
        Out-of-fold rounds that make the trees' training lists; ``folds`` extra base fits.
    pool : `int`, optional (default = `60`)
        Candidates per text asked of the base, at fit and at suggestion time.
    max_trees, learning_rate, max_leaves, min_samples_leaf : optional
        The trees' settings; the number of trees stops early on a 10 % hold-out.
    seed : `int`, optional (default = `0`)
        Fold assignment and the trees' hold-out.
    """

    def __init__(
        self,
        base: Suggester,
        folds: int = 5,
        pool: int = 60,
        max_trees: int = 300,
        learning_rate: float = 0.1,
        max_leaves: int = 31,
        min_samples_leaf: int = 50,
        seed: int = 0,
    ) -> None:
        if folds < 2:
            raise ValueError(f"learned fusion needs at least 2 folds, got {folds}")
        check_limit(pool)
        self.base = base
        self.folds, self.pool, self.seed = folds, pool, seed
        self.tree_settings = {
            "max_trees": max_trees,
            "learning_rate": learning_rate,
            "max_leaves": max_leaves,
            "min_samples_leaf": min_samples_leaf,
        }
        self.member_scores = max(1, len(base.feature_names))
        self.feature_names = ("fused", *base.feature_names)
        members = base.feature_names if self.member_scores > 1 else ("base score",)
        #: the trees' input columns
        self.tree_features = (*members, *OWN_FEATURES)
        self.trees: Optional[BoostedTrees] = None
        self.priors: Optional[HeadingPriors] = None

    @property
    def trained(self) -> bool:
        return self.trees is not None and self.priors is not None and self.base.trained

    def config(self) -> dict[str, Any]:
        return {
            "type": "learned_fusion",
            "base": self.base.config(),
            "folds": self.folds,
            "pool": self.pool,
            **self.tree_settings,
            "seed": self.seed,
        }

    def fresh(self) -> "LearnedFusionSuggester":
        return LearnedFusionSuggester(
            self.base.fresh(), self.folds, self.pool, **self.tree_settings, seed=self.seed
        )

    # ---- fitting ------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        check_fit_input(texts, label_sets)
        lists = self.out_of_fold_lists(texts, label_sets)
        self.fit_trees(*self.training_rows(texts, label_sets, lists))
        self.base.fit(texts, label_sets)
        self.priors = HeadingPriors.of(label_sets)

    def out_of_fold_lists(
        self, texts: Sequence[str], label_sets: Sequence[Collection[str]]
    ) -> OutOfFoldLists:
        """Each text's candidates from a base fitted on the other folds (``folds`` fits)."""
        if len(texts) < self.folds:
            raise ValueError(f"{len(texts)} texts cannot make {self.folds} folds")
        fold = fold_of_index(len(texts), self.folds, self.seed)
        found: list[list[Suggestion]] = [[] for _ in texts]
        priors = []
        for k in range(self.folds):
            inside, held_out = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            logger.info(
                "learned fusion: fold %d of %d, base fitted on %d texts, %d held out",
                k + 1, self.folds, len(inside), len(held_out),
            )  # fmt: skip
            base = self.base.fresh()
            base.fit([texts[i] for i in inside], [label_sets[i] for i in inside])
            priors.append(HeadingPriors.of([label_sets[i] for i in inside]))
            for start in tqdm(range(0, len(held_out), _SUGGEST_CHUNK), desc="learned fusion"):
                chunk = held_out[start : start + _SUGGEST_CHUNK]
                for i, suggestions in zip(
                    chunk, base.suggest([texts[i] for i in chunk], self.pool)
                ):
                    found[i] = suggestions
        return OutOfFoldLists(fold, found, priors)

    def fit_trees(self, features: np.ndarray, gold: np.ndarray) -> None:
        """The trees on every row (see :meth:`training_rows`)."""
        logger.info(
            "learned fusion: fitting trees on %d candidates (%.1f %% gold)",
            len(gold), 100 * gold.mean(),
        )  # fmt: skip
        self.trees = BoostedTrees.fit(features, gold, seed=self.seed, **self.tree_settings)
        logger.info("learned fusion: %d trees, depth %d", self.trees.trees, self.trees.depth)

    def fit_and_cross_fit(
        self,
        texts: Sequence[str],
        label_sets: Sequence[Collection[str]],
        lists: OutOfFoldLists,
        limit: Optional[int] = None,
    ) -> list[list[Suggestion]]:
        """Fit the trees and priors on out-of-fold lists made elsewhere (a candidate cache's
        fold retrievers; the base must already be fitted on all of ``texts``), and return
        every text's list re-ranked by trees fitted on the other folds' rows only: the lists
        a model trains on then carry fused scores that are as far from their own labels as
        the candidates are (one more tree fit per fold, on the same rows)."""
        check_fit_input(texts, label_sets)
        features, gold = self.training_rows(texts, label_sets, lists)
        row_fold = np.repeat(lists.fold, [len(found) for found in lists.found])
        probability = np.zeros(len(gold))
        for k in range(int(lists.fold.max()) + 1):
            held_out = row_fold == k
            if not held_out.any():
                continue
            trees = BoostedTrees.fit(
                features[~held_out], gold[~held_out], seed=self.seed, **self.tree_settings
            )
            probability[held_out] = trees.probability(features[held_out])
            logger.info("learned fusion: fold %d re-ranked by %d trees", k + 1, trees.trees)
        self.fit_trees(features, gold)
        self.priors = HeadingPriors.of(label_sets)
        return rerank(lists.found, probability, limit)

    def training_rows(
        self, texts: Sequence[str], label_sets: Sequence[Collection[str]], lists: OutOfFoldLists
    ) -> tuple[np.ndarray, np.ndarray]:
        """The trees' rows (features, gold) from out-of-fold lists; each fold's rows get the
        heading priors of the texts outside that fold."""
        blocks, targets = [], []
        for i, found in enumerate(lists.found):
            priors = lists.priors[lists.fold[i]]
            blocks.append(candidate_features(found, texts[i], priors, self.member_scores))
            targets.extend(s.label in label_sets[i] for s in found)
        return np.concatenate(blocks), np.asarray(targets, dtype=np.int8)

    # ---- suggesting ---------------------------------------------------------------------
    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        check_limit(limit)
        if not self.trained:
            raise RuntimeError("fit or load the suggester before suggesting")
        assert self.trees is not None and self.priors is not None
        found = self.base.suggest(texts, max(limit, self.pool))
        rows = [
            candidate_features(f, t, self.priors, self.member_scores) for f, t in zip(found, texts)
        ]
        probability = self.trees.probability(np.concatenate(rows)) if rows else np.zeros(0)
        return rerank(found, probability, limit)

    # ---- state --------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        if not self.trained:
            raise RuntimeError("fit the suggester before saving it")
        assert self.trees is not None and self.priors is not None
        directory.mkdir(parents=True, exist_ok=True)
        self.base.save(directory / "base")
        self.trees.save(directory / _TREES_FILE)
        write_json(directory / _FEATURES_FILE, list(self.tree_features))
        write_json(
            directory / _PRIORS_FILE,
            {"texts": self.priors.texts, "counts": dict(self.priors.counts)},
        )

    def load(self, directory: Path) -> None:
        saved = (
            read_json(directory / _FEATURES_FILE) if (directory / _FEATURES_FILE).exists() else None
        )
        if saved != list(self.tree_features):
            raise ValueError(
                f"{directory}: its trees were fitted on the features {saved}, but this version "
                f"computes {list(self.tree_features)}; fit the suggester again"
            )
        self.base.load(directory / "base")
        self.trees = BoostedTrees.load(directory / _TREES_FILE)
        priors = read_json(directory / _PRIORS_FILE)
        self.priors = HeadingPriors(Counter(priors["counts"]), int(priors["texts"]))
