"""`allennlp bioasq-submission`: a BioASQ Task A submission file from a trained archive.

Library: ``tasks.mesh_indexing.submission``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

DESCRIPTION = """Write a BioASQ Task A submission file from a trained archive and a BioASQ test set.

The test set may be BioASQ's {"documents": [...]} file, a BioASQ training-layout file, or any
format of the data layer; the output is {"documents": [{"labels": [UIs], "pmid": ...}]}.
Every record with a PMID gets an entry, in input order: one whose title and abstract are both
empty gets "labels": [] (BioASQ expects every PMID of its test set). The output path is
checked before the model is loaded, and the file is written whole or not at all."""

EXAMPLES = """example:
  allennlp bioasq-submission runs/mesh_mqan/model.tar.gz test_set.json --output submission.json"""


@Subcommand.register("bioasq-submission")
class BioasqSubmission(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Write a BioASQ Task A submission file from a trained archive.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument("archive", type=Path, help="model.tar.gz")
        subparser.add_argument("test_file", type=Path, help="BioASQ test set (or any corpus file)")
        subparser.add_argument("--output", type=Path, required=True, help="submission file")
        subparser.add_argument(
            "--batch-size",
            type=int,
            default=256,
            help="abstracts handed to the predictor at once; it runs them through the model in "
            "batches of 32 abstracts of similar length",
        )
        subparser.add_argument("--cuda-device", type=int, default=-1)
        subparser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="torch threads (default: torch's); 1 on a machine busy with other jobs",
        )
        subparser.set_defaults(func=run)
        return subparser


def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from tasks.mesh_indexing.submission import write_submission

    summary = write_submission(
        args.archive, args.test_file, args.output, args.batch_size, args.cuda_device, args.threads
    )
    print(summary.render())
