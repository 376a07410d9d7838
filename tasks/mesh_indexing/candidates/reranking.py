"""The re-ranking step of a cache entry whose retriever is a learned fusion.

A learned fusion's own ``fit`` makes out-of-fold lists of its base (``folds`` base fits)
to learn its trees. The cache already makes exactly those lists for the training
articles, so fitting the fusion as the cache's retriever would nest one cross-fitting in
another (36 base fits for 5 folds). Instead the cache fits the *base* as its fold and
full retrievers (``base_out_of_fold/``, ``base_retriever/``), then this step:

1. re-ranks each fold's lists with trees fitted on the other folds' lists only (one tree
   fit per fold), so the fused score a model trains on is as unbiased as the candidates;
2. fits the full trees on every fold's lists and saves the fusion (the full base inside)
   as the entry's ``retriever/``, which scores validation, test and prediction input.

The step is one unit: a run killed during it redoes it (seconds to minutes: trees only).
"""

import logging
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from tasks.mesh_indexing.candidates.store import (
    CandidateShard,
    CandidateShardWriter,
    RecordShards,
    fold_dir,
    list_recall,
    write_atomically,
)
from tasks.mesh_indexing.suggesters.base import Suggester
from tasks.mesh_indexing.suggesters.fusion import (
    HeadingPriors,
    LearnedFusionSuggester,
    OutOfFoldLists,
)

logger = logging.getLogger(__name__)

#: where the base's fold lists and full fit go before the re-ranking step
BASE_OUT_OF_FOLD = "base_out_of_fold"
BASE_RETRIEVER = "base_retriever"


def is_stacked(retriever: Suggester) -> bool:
    """Whether the cache fits ``retriever``'s base and re-ranks its lists itself."""
    return isinstance(retriever, LearnedFusionSuggester)


def rerank_entry(
    fusion: LearnedFusionSuggester, partial: Path, folds: int, top_k: int
) -> dict[str, Any]:
    """Write ``out_of_fold/`` (cross-fitted fused lists, ``top_k`` deep) and ``retriever/``
    (the fusion) from the base's lists and full fit in ``partial``; remove the base's."""
    started = time.perf_counter()
    shards = RecordShards(partial / "records")
    ids: list[list[str]] = []
    texts: list[str] = []
    labels: list[tuple[str, ...]] = []
    found = []
    fold: list[int] = []
    for k in range(folds):
        base_lists = CandidateShard(fold_dir(partial / BASE_OUT_OF_FOLD, k))
        fold_ids = shards.ids(k)
        ids.append(fold_ids)
        texts.extend(shards.texts([k]))
        labels.extend(shards.labels([k]))
        found.extend(base_lists.get(record_id) or [] for record_id in fold_ids)
        fold.extend([k] * len(fold_ids))
    assignment = np.asarray(fold, dtype=np.int64)
    priors = [
        HeadingPriors.of([labels[i] for i in np.flatnonzero(assignment != k)]) for k in range(folds)
    ]
    lists = OutOfFoldLists(assignment, found, priors)
    fusion.base.load(partial / BASE_RETRIEVER)
    fused = fusion.fit_and_cross_fit(texts, labels, lists, top_k)
    shutil.rmtree(partial / "out_of_fold", ignore_errors=True)  # a killed earlier attempt's
    start = 0
    for k, fold_ids in enumerate(ids):
        writer = CandidateShardWriter()
        writer.add(fold_ids, fused[start : start + len(fold_ids)])
        writer.close(fold_dir(partial / "out_of_fold", k))
        start += len(fold_ids)
    write_atomically(partial / "retriever", fusion.save)
    summary = {
        "base_recall": list_recall(found, labels),
        "trees": fusion.trees.trees if fusion.trees else 0,
        "seconds": round(time.perf_counter() - started, 1),
    }
    shutil.rmtree(partial / BASE_OUT_OF_FOLD)
    shutil.rmtree(partial / BASE_RETRIEVER)
    logger.info("candidates: base lists re-ranked by learned fusion: %s", summary)
    return summary
