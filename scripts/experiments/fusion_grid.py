"""Validation grid for the learned fusion re-ranker: tree settings and feature groups.

    python scripts/experiments/fusion_grid.py [--train T] [--validation V] [--output F]

The base's out-of-fold lists (its ``folds`` fits) and its validation lists are computed once;
each row then only refits the trees, so the grid costs one fusion fit plus seconds per row.
Every row is scored as `allennlp optimize` scores a suggester: limit and threshold tuned on
the validation split by micro-F1. Decisions only: the test split is never read here.
"""

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tasks.mesh_indexing.comparison import Split, load_articles  # noqa: E402
from tasks.mesh_indexing.mesh import MeshVocabulary  # noqa: E402
from tasks.mesh_indexing.suggesters import LearnedFusionSuggester  # noqa: E402
from tasks.mesh_indexing.suggesters.boosted_trees import BoostedTrees  # noqa: E402
from tasks.mesh_indexing.suggesters.fusion import (  # noqa: E402
    HeadingPriors,
    candidate_features,
    rerank,
)
from tasks.mesh_indexing.suggesters.specs import suggester_from_spec  # noqa: E402
from tasks.mesh_indexing.suggesters.tuning import tune  # noqa: E402

BASE = {
    "type": "ensemble",
    "members": {
        "omikuji": {"type": "tfidf_omikuji", "n_trees": 3},
        "knn": {"type": "tfidf_knn", "neighbours": 40, "power": 2.0},
        "lexical": {"type": "mesh_lexical"},
    },
    "weights": {"omikuji": 0.7, "knn": 0.3, "lexical": 0.5},
}
TREES = [
    {"max_trees": 300, "learning_rate": 0.1, "max_leaves": 31},
    {"max_trees": 1000, "learning_rate": 0.1, "max_leaves": 31},
    {"max_trees": 1000, "learning_rate": 0.05, "max_leaves": 63},
]
DROPS = [
    [],
    ["mass top 5", "mass top 10", "mass top 20", "log words"],
    ["log prior"],
    ["members proposing", "share of top"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", default="data/corpus/train.json")
    parser.add_argument("--validation", default="data/corpus/validation.json")
    parser.add_argument("--mesh-file", default="data/mesh/descriptors.tsv")
    parser.add_argument("--output", type=Path, default=Path("runs/fusion_grid.json"))
    parser.add_argument("--base", default=json.dumps(BASE), help="the base suggester (JSON)")
    parser.add_argument("--defaults-only", action="store_true", help="only the default trees")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    mesh = MeshVocabulary.from_file(args.mesh_file)
    train = Split.of(load_articles(args.train, "train", progress=False), mesh)
    validation = Split.of(load_articles(args.validation, "validation", progress=False), mesh)
    fusion = LearnedFusionSuggester(suggester_from_spec(args.base))
    started = time.perf_counter()
    lists = fusion.out_of_fold_lists(train.texts, train.gold)
    features, gold = fusion.training_rows(train.texts, train.gold, lists)
    base = fusion.base
    base.fit(train.texts, train.gold)
    found = base.suggest(validation.texts, fusion.pool)
    priors = HeadingPriors.of(train.gold)
    held = [
        candidate_features(f, t, priors, fusion.member_scores)
        for f, t in zip(found, validation.texts)
    ]
    held_rows = np.concatenate(held)
    print(f"base lists: {time.perf_counter() - started:.0f} s; {len(gold):,} training rows")
    names = list(fusion.tree_features)
    base_mif = tune(found, validation.gold).mif
    results = [{"row": "base (weighted mean)", "MiF": round(base_mif, 4)}]
    print("| row | validation MiF | trees | fit s |\n|---|---|---|---|")
    print(f"| base | {base_mif:.4f} | | |")
    rows = [(trees, []) for trees in TREES] + [(TREES[0], drop) for drop in DROPS[1:]]
    if args.defaults_only:
        rows = rows[:1]
    for trees, drop in rows:
        keep = [i for i, name in enumerate(names) if name not in drop]
        began = time.perf_counter()
        model = BoostedTrees.fit(features[:, keep], gold, **trees)
        seconds = time.perf_counter() - began
        reranked = rerank(found, model.probability(held_rows[:, keep]))
        mif = tune(reranked, validation.gold).mif
        label = json.dumps(trees) + (f" without {', '.join(drop)}" if drop else "")
        results.append({"row": label, "MiF": round(mif, 4), "trees": model.trees,
                        "fit s": round(seconds, 1)})  # fmt: skip
        print(f"| {label} | {mif:.4f} | {model.trees} | {seconds:.0f} |", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
