#!/usr/bin/env python
"""Write a BioASQ Task A submission file from a trained archive and a BioASQ test set.

    python scripts/write_bioasq_submission.py runs/mesh_mqan/model.tar.gz test_set.json \
        --output submission.json

The test set may be BioASQ's `{"documents": [...]}` file, a BioASQ training-layout file, or
any format of the data layer; the output is `{"documents": [{"labels": [UIs], "pmid": ...}]}`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import torch
from allennlp.common.plugins import import_plugins
from allennlp.predictors import Predictor
from tqdm import tqdm

from multitask.data.corpus import ReadStats, read_articles


def _pmid(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive", type=Path)
    parser.add_argument("test_file", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        help="abstracts handed to the predictor at once; it runs them through the model in "
        "batches of 32 abstracts of similar length",
    )
    parser.add_argument("--cuda-device", type=int, default=-1)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads (default: torch's); 1 on a machine busy with other jobs",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import_plugins()
    if args.threads:
        torch.set_num_threads(args.threads)

    predictor = Predictor.from_path(
        args.archive, predictor_name="mesh_indexer", cuda_device=args.cuda_device
    )
    stats = ReadStats()
    documents = []
    batch: list[dict] = []

    def flush() -> None:
        for output in predictor.predict_batch_json(batch):
            labels = [label["ui"] for label in output["labels"]]
            documents.append({"labels": labels, "pmid": _pmid(output["pmid"])})
        batch.clear()

    articles = read_articles(
        args.test_file, stats=stats, require_mesh=False, require_abstract=False
    )
    for article in tqdm(articles, desc="predicting", unit=" docs"):
        batch.append(
            {"pmid": article.pmid, "title": article.title, "abstractText": article.abstract}
        )
        if len(batch) == args.batch_size:
            flush()
    if batch:
        flush()
    args.output.write_text(json.dumps({"documents": documents}) + "\n")
    print(stats.summary())
    print(f"{len(documents)} documents -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
