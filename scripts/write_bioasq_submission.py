#!/usr/bin/env python
"""Write a BioASQ Task A submission file from a trained archive and a BioASQ test set.

    python scripts/write_bioasq_submission.py runs/mesh_mqan/model.tar.gz test_set.json \
        --output submission.json

The test set may be BioASQ's `{"documents": [...]}` file, a BioASQ training-layout file, or
any format of the data layer; the output is `{"documents": [{"labels": [UIs], "pmid": ...}]}`.
Every record with a PMID gets an entry, in input order: one whose title and abstract are
both empty gets `"labels": []` (BioASQ expects every PMID of its test set). The output path
is checked before the model is loaded, and the file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import torch
from allennlp.common.plugins import import_plugins
from allennlp.predictors import Predictor
from tqdm import tqdm

from multitask.data.corpus import ReadStats, read_articles
from multitask.errors import UserInputError


def _pmid(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def check_paths(archive: Path, test_file: Path, output: Path) -> None:
    """Fail before the model is loaded and anything predicted, not after."""
    for name, path in (("archive", archive), ("test file", test_file)):
        if "://" not in str(path) and not path.is_file():
            raise UserInputError(f"{name} {path}: no such file")
    if output.is_dir():
        raise UserInputError(f"--output {output} is a folder: name the submission file")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UserInputError(f"--output {output}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        raise UserInputError(f"--output {output}: not writable")


def write_submission(args: argparse.Namespace) -> None:
    check_paths(args.archive, args.test_file, args.output)
    import_plugins()
    if args.threads:
        torch.set_num_threads(args.threads)
    predictor = Predictor.from_path(
        args.archive, predictor_name="mesh_indexer", cuda_device=args.cuda_device
    )
    stats = ReadStats()
    documents = []
    without_text = 0
    batch: list[dict] = []

    def flush() -> None:
        nonlocal without_text
        for output in predictor.predict_batch_json(batch):
            labels = [label["ui"] for label in output["labels"]]
            documents.append({"labels": labels, "pmid": _pmid(output["pmid"])})
            without_text += "reason" in output
        batch.clear()

    # every record with a PMID is answered: BioASQ expects each one (empty text: no labels)
    articles = read_articles(
        args.test_file, stats=stats, require_mesh=False, require_abstract=False, require_text=False
    )
    for article in tqdm(articles, desc="predicting", unit=" docs"):
        batch.append(
            {"pmid": article.pmid, "title": article.title, "abstractText": article.abstract}
        )
        if len(batch) == args.batch_size:
            flush()
    if batch:
        flush()
    part = args.output.with_name(args.output.name + ".part")
    part.write_text(json.dumps({"documents": documents}) + "\n")
    part.replace(args.output)
    print(stats.summary())
    if without_text:
        print(f"{without_text} document(s) with empty title and abstract: submitted with no labels")
    print(f"{len(documents)} documents -> {args.output}")


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
    try:
        write_submission(args)
    except UserInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
