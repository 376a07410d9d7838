"""What `compare` and `optimize` ask alike: the corpus splits, the MeSH table, logging."""

import argparse
import logging
from pathlib import Path

CORPUS = Path("data/corpus")
MESH = Path("data/mesh/descriptors.tsv")


def add_split_arguments(subparser: argparse.ArgumentParser, evaluate: bool = False) -> None:
    """--train (what unfitted suggesters are fitted on), --validation (where limit and
    threshold are tuned), --eval when the command scores, --mesh-file, --no-progress."""
    subparser.add_argument("--train", type=Path, default=CORPUS / "train.json")
    subparser.add_argument("--validation", type=Path, default=CORPUS / "validation.json")
    if evaluate:
        subparser.add_argument("--eval", type=Path, default=CORPUS / "test.json")
    subparser.add_argument("--mesh-file", type=Path, default=MESH)
    subparser.add_argument("--no-progress", action="store_true")


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # AllenNLP logs one line per constructor argument of every suggester built
    logging.getLogger("allennlp.common.params").setLevel(logging.WARNING)
